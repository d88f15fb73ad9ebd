"""Draw the three briefing charts from the bundled sample reports into notebooks/gallery/.

usage: python scripts/gallery.py [OUT_DIR]   (run from the repository root; refreshes the PNGs
shown in notebooks/README.md)
"""
import sys
from pathlib import Path

import forestry_analysis as fa
from forestry_analysis import config

ROOT = Path(__file__).resolve().parents[1]


def main(out_dir: Path) -> None:
    c = fa.read_corpus(config.SAMPLES_DIR)
    charts = {
        "completion_rates": fa.plots.completion_rates(c.completion, c.meta),
        "fire_prevention": fa.plots.fire_prevention(c.metrics, c.meta),
        "pest_control": fa.plots.pest_control(c.metrics, c.completion, c.meta),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, fig in charts.items():
        png, svg = fa.plots.save(fig, out_dir, name)
        svg.unlink()
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "notebooks" / "gallery")
