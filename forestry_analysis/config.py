"""Project paths, derived from the package location (no literal paths in notebooks)."""
from pathlib import Path
import os

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("FORESTRY_PROJECT_DIR", PACKAGE_DIR.parent))
DATA_DIR = PROJECT_DIR / "data"
SAMPLES_DIR = DATA_DIR / "samples"
SEED_REPORT = SAMPLES_DIR / "seed_banan_2020h1.txt"
OUTPUT_DIR = PROJECT_DIR / "out"

# Limits on what an untrusted report file may expand to (see README, "Untrusted input").
# Each default can be changed by the environment variable named beside it, read at each call.
READ_LIMITS = {
    "FORESTRY_MAX_FILE_MB": 200,        # the file as stored
    "FORESTRY_MAX_UNZIPPED_MB": 100,    # .docx/.xlsx/.odt/.ods: all members uncompressed
    "FORESTRY_MAX_MEMBER_MB": 10,       # one XML member uncompressed (odfpy needs ~25x it in memory)
    "FORESTRY_MAX_ZIP_RATIO": 100,      # uncompressed / compressed size of a member over 1 MB
    "FORESTRY_MAX_PDF_PAGES": 1000,
    "FORESTRY_MAX_TEXT_CHARS": 10_000_000,  # text of a report after decoding, every format
}


def read_limit(name: str) -> float:
    """The limit ``name`` (a key of READ_LIMITS): its environment variable, else the default."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return READ_LIMITS[name]
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    return int(value) if value.is_integer() else value
