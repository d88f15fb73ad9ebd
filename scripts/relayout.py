"""Move the flat modules into the layered layout and rewrite every import that names them.

Rerunnable: a module already moved is left alone, imports already in the new form are kept, so
running it again after merging a branch written against the flat layout fixes that branch's
imports and paths too. Usage: ``python scripts/relayout.py`` from the repository root.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = "forestry_analysis"

# old flat module (or folder) -> new dotted location, relative to the package
MOVES = {
    "reading": "io.reading", "formats": "io.formats",
    "report": "doc.report", "schema": "doc.schema", "normalize": "doc.normalize",
    "lexicon_data": "lexicon",
    "numbers": "pipeline.quantities.numbers", "units": "pipeline.quantities.units",
    "metrics": "pipeline.quantities.metrics",
    "meta": "pipeline.meta", "outline": "pipeline.outline", "segment": "pipeline.segment",
    "categories": "pipeline.categories", "tasks": "pipeline.tasks", "tables": "pipeline.tables",
    "tables_report": "pipeline.tables_report", "relations": "pipeline.relations",
    "completion": "pipeline.completion", "quality": "pipeline.quality", "join": "pipeline.join",
    "summary": "pipeline.summary",
    "corpus": "corpus", "cache": "corpus.cache", "workers": "corpus.workers",
    "followups": "corpus.followups",
    "plots": "present.plots", "brief": "present.brief", "brief_docx": "present.brief_docx",
    "highlight": "present.highlight", "explore": "present.explore", "fonts": "present.fonts",
    "labels": "present.labels",
}
PACKAGES = {
    "io": "Reading files: file → report text (one reader per format, limits for untrusted files).",
    "doc": "One report: the ``Report`` object, its normalised text with offsets, the table schema.",
    "pipeline": "The stages that turn a report's text into tables: meta, outline, tasks, quantities, "
                "statistics tables, relations, completion, quality.",
    "pipeline.quantities": "Numbers, units and the metrics table: quantity mentions in the text.",
    "present": "What analysts see: charts, the briefing pack, highlighted text, exploration helpers.",
}
RENAMED_LEAF = {"lexicon_data": "lexicon"}   # names used in code for these modules


def move() -> None:
    for pkg, doc in PACKAGES.items():
        init = ROOT / PKG / Path(*pkg.split(".")) / "__init__.py"
        if not init.exists():
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            subprocess.run(["git", "add", str(init)], cwd=ROOT, check=True)
    for old, new in MOVES.items():
        src_dir, src = ROOT / PKG / old, ROOT / PKG / f"{old}.py"
        if old == new:   # a flat module that becomes a package of the same name
            if src.exists():
                (ROOT / PKG / old).mkdir(exist_ok=True)
                subprocess.run(["git", "mv", str(src), str(ROOT / PKG / old / "__init__.py")],
                               cwd=ROOT, check=True)
            continue
        if src_dir.is_dir() and (src_dir / "__init__.py").exists() and old != new.split(".")[0]:
            dst = ROOT / PKG / Path(*new.split("."))
            dst.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "mv", str(src_dir), str(dst)], cwd=ROOT, check=True)
        elif src.exists():
            dst = ROOT / PKG / Path(*new.split("."))
            dst = dst / "__init__.py" if new.count(".") == 0 else dst.with_suffix(".py")
            dst.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "mv", str(src), str(dst)], cwd=ROOT, check=True)


def _exists(dotted: str) -> bool:
    p = ROOT / Path(*dotted.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _new_name(dotted: str) -> str:
    """``forestry_analysis.<old>[.rest]`` in the new layout (unchanged when already new)."""
    parts = dotted.split(".")
    if len(parts) > 1 and parts[0] == PKG and parts[1] in MOVES and MOVES[parts[1]] != parts[1]:
        return ".".join([PKG, MOVES[parts[1]], *parts[2:]])
    return dotted


_DOTTED = re.compile(rf"\b{PKG}(?:\.\w+)+")
_FROM = re.compile(r"^(?P<ind>[ \t]*)from[ \t]+(?P<base>\.+[\w.]*|" + PKG + r"[\w.]*)[ \t]+import[ \t]+"
                   r"(?P<names>\([^)]*\)|[^\n]*?)(?P<tail>[ \t]*#[^\n]*)?$", re.M)
_PATH = re.compile(rf"\b{PKG}/(\w+)(\.py|/)")


def _old_package(path: Path) -> str:
    """The dotted package a file lived in before the move (relative imports were written there)."""
    rel = path.relative_to(ROOT / PKG).with_suffix("")
    parts = list(rel.parts)
    if parts[:2] == ["io", "formats"]:
        return f"{PKG}.formats"
    if parts and parts[0] == "formats":
        return f"{PKG}.formats"
    return PKG


def _absolute(base: str, path: Path | None) -> str:
    if not base.startswith("."):
        return base
    dots = len(base) - len(base.lstrip("."))
    pkg = _old_package(path).split(".")
    pkg = pkg[: len(pkg) - (dots - 1)]
    tail = base[dots:]
    return ".".join(pkg + ([tail] if tail else []))


def _rewrite_from(m: re.Match, path: Path | None) -> str:
    ind, names_src, tail = m["ind"], m["names"], m["tail"] or ""
    base = _new_name(_absolute(m["base"], path))
    paren = names_src.startswith("(")
    noqa = re.search(r"#\s*noqa[^\n]*", names_src)
    if noqa and not tail:
        tail = f"  {noqa.group(0)}"
    bare = re.sub(r"#[^\n]*", "", names_src).strip("()")
    items = [n.strip() for n in bare.replace("\n", " ").split(",") if n.strip()]
    modules, rest = [], []
    for item in items:
        name, _, alias = item.partition(" as ")
        name, alias = name.strip(), alias.strip()
        full = _new_name(f"{base}.{name}")
        if full != f"{base}.{name}" and _exists(full):
            parent, leaf = full.rsplit(".", 1)
            keep = alias or RENAMED_LEAF.get(name, name)
            modules.append((parent, leaf if keep == leaf else f"{leaf} as {keep}"))
        else:
            rest.append(item)
    if not modules:
        whole = m.group(0)
        return whole if base == m["base"] else whole.replace(f"from {m['base']} ", f"from {base} ", 1)
    lines = []
    if rest:
        if paren:
            body = ",".join(f" {r}" if i else r for i, r in enumerate(rest))
            lines.append(f"{ind}from {base} import ({body}){tail}")
        else:
            lines.append(f"{ind}from {base} import {', '.join(rest)}{tail}")
    for parent in dict.fromkeys(p for p, _ in modules):
        leafs = ", ".join(sorted(x for p, x in modules if p == parent))
        lines.append(f"{ind}from {parent} import {leafs}" + ("" if rest else tail))
    return "\n".join(lines)


def rewrite_source(text: str, path: Path | None = None) -> str:
    text = _FROM.sub(lambda m: _rewrite_from(m, path), text)
    text = _DOTTED.sub(lambda m: _new_name(m.group(0)), text)
    text = re.sub(r"\blexicon_data\.", "lexicon.", text)
    return text


def rewrite_paths(text: str) -> str:
    def sub(m: re.Match) -> str:
        old, end = m.group(1), m.group(2)
        if old not in MOVES or MOVES[old] == old:
            return m.group(0)
        new = MOVES[old].replace(".", "/")
        if end == ".py" and (ROOT / PKG / new / "__init__.py").exists():
            return f"{PKG}/{new}/__init__.py"
        return f"{PKG}/{new}{end}"
    return _PATH.sub(sub, text)


def _notebook(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    nb = json.loads(raw)
    changed = False
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        new = rewrite_source(src)
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
            changed = True
        for out in cell.get("outputs", []):
            plain = out.get("data", {}).get("text/plain")
            if plain is not None:
                lines = plain if isinstance(plain, list) else [plain]
                new_lines = [_DOTTED.sub(lambda m: _new_name(m.group(0)), x) for x in lines]
                if new_lines != lines:
                    out["data"]["text/plain"] = new_lines if isinstance(plain, list) else new_lines[0]
                    changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def rewrite_all() -> None:
    for p in sorted((ROOT / PKG).rglob("*.py")):
        t = p.read_text(encoding="utf-8")
        n = rewrite_source(t, p)
        if n != t:
            p.write_text(n, encoding="utf-8")
    for folder in ("tests", "benchmarks", "scripts", "notebooks"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            if p.name == "relayout.py":
                continue
            t = p.read_text(encoding="utf-8")
            n = rewrite_paths(rewrite_source(t, None))
            if n != t:
                p.write_text(n, encoding="utf-8")
        for p in sorted((ROOT / folder).rglob("*.ipynb")):
            _notebook(p)
    for p in [ROOT / "README.md", *sorted((ROOT / "notebooks").glob("*.md"))]:
        t = p.read_text(encoding="utf-8")
        n = rewrite_paths(rewrite_source(t))
        if n != t:
            p.write_text(n, encoding="utf-8")


if __name__ == "__main__":
    move()
    rewrite_all()
    sys.exit(0)
