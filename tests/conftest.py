import os
import sys

# the test helpers (op_catalogue, ...) live beside the tests
sys.path.insert(0, os.path.dirname(__file__))
