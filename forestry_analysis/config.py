"""Project paths, derived from the package location (no literal paths in notebooks)."""
from pathlib import Path
import os

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("FORESTRY_PROJECT_DIR", PACKAGE_DIR.parent))
DATA_DIR = PROJECT_DIR / "data"
SAMPLES_DIR = DATA_DIR / "samples"
SEED_REPORT = SAMPLES_DIR / "seed_banan_2020h1.txt"
OUTPUT_DIR = PROJECT_DIR / "out"
