from conf.loader import load_config

# Module-level sync caller: runs at import time, when no loop runs.
BASE = load_config("base")
