"""Score relations between metric mentions against a relations key (a relations.jsonl beside the answer keys).

(Copied from the shared tools/score_relations.py, as score.py was; one change: two optional
rows of a key that share evidence and occurrence, such as the two ends of "3-5年", name the
first of them, since a relation never ends on an optional row's twin.)

usage: python score_relations.py PRED.jsonl --gold GOLD_DIR [--json] [--show N] [--only a01,a02]
       python score_relations.py --self-test --gold GOLD_DIR
       python score_relations.py --gold-as-pred OUT.jsonl --gold GOLD_DIR

Prediction rows (predict.py output, with the relation columns when the package has them): {doc, start, end, value, unit, missing, ..., metric_id, part_of, rate_of,
rate_base, rate_type, restates}.
  metric_id  id of the row, unique within its doc (int or str; compared as str)
  part_of    metric_id of the total this row is a part of (or a list of them), null otherwise
  rate_of    metric_id of the quantity this rate is the rate of (numerator), null otherwise
  rate_base  metric_id of the rate's denominator (plan, 发生面积, target), null otherwise
  rate_type  completion | share | coverage | change | level, null for rows that are not rates
  restates   metric_id of an earlier row this row repeats (or a list), null otherwise
Rows without the relation fields simply predict no relations.

Gold: each DIR holds NAME.txt + NAME.jsonl (metric rows, gold/README.md) and
relations.jsonl, one relation per line, ends named by the metric row's evidence + occurrence:
  {doc, evidence, occurrence, part_of: {evidence, occurrence}}
  {doc, evidence, occurrence, restates: {evidence, occurrence}}
  {doc, evidence, occurrence, rate_type, rate_type_alt?: [...], rate_of: {..}|null, rate_base: {..}|null}
  optional: true, or a list of fields ("rate_of", "rate_base"): reasonable people differ.
    part_of / restates: that pair is neither required nor an error.
    rate fields: the gold link is not required and any predicted link of that field from that
    row is not an error (the field itself is unclear). rate_type is still scored.
  A pair with an end on an optional metric row is optional; so is rate_type of an optional row.

Scoring: predicted rows are matched to gold rows exactly as score.py does (same doc,
overlapping span, same quantity; score.py's helper functions are imported and its tallies
cross-checked). A predicted pair (src -> dst) is a true positive when both ends match the gold
ends of a required gold pair of the same kind; a false positive when it matches no gold pair
(including pairs with an end that matches no gold row, and ids that name no row). Per kind
(part_of, rate_of, rate_base, restates) and over all: precision, recall, F1.
rate_type accuracy: over predicted rows matched to a (non-optional) gold rate row; a null
rate_type counts as wrong; rate_type_alt lists other accepted answers.
"""
import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import score as S  # noqa: E402  score.py: locate, quantity, isnum, same_q, score

KINDS = ("part_of", "rate_of", "rate_base", "restates")
RATE_TYPES = {"completion", "share", "coverage", "change", "level"}
REL_FIELDS = ("metric_id",) + KINDS + ("rate_type",)
NON_DOC = {"relations", "meta", "tasks"}


# ---------------------------------------------------------------- loading

def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def load_gold(dirs, only=None):
    """texts, gold rows and relation rows of every doc that has both a .txt and a .jsonl."""
    texts, gold, rels = {}, {}, []
    for gdir in map(Path, dirs):
        for tf in sorted(gdir.glob("*.txt")):
            doc = tf.stem
            jf = tf.with_suffix(".jsonl")
            if doc in NON_DOC or not jf.exists() or (only and doc not in only):
                continue
            texts[doc] = tf.read_text(encoding="utf-8")
            gold[doc] = read_jsonl(jf)
        rf = gdir / "relations.jsonl"
        if rf.exists():
            rels += [r for r in read_jsonl(rf) if r["doc"] in gold]
    return texts, gold, rels


def _ref_index(gold):
    idx = {}
    for doc, rows in gold.items():
        for i, g in enumerate(rows):
            key = (doc, g["evidence"], g.get("occurrence", 0))
            if key in idx:
                if g.get("optional") and rows[idx[key]].get("optional"):
                    continue
                raise ValueError(f"two gold rows share evidence+occurrence: {key}")
            idx[key] = i
    return idx


def index_relations(gold, rels):
    """Resolve relation ends to gold row indices.

    Returns pairs[kind] = {(doc, src, dst): optional}, wild[kind] = {(doc, src)} (predicted links
    of that kind from src are not scored), rate[(doc, src)] = (rate_type, {accepted types}).
    """
    idx = _ref_index(gold)

    def find(doc, ref, what):
        key = (doc, ref["evidence"], ref.get("occurrence", 0))
        if key not in idx:
            raise ValueError(f"relations.jsonl: {what} {key} is not a row of {doc}.jsonl")
        return idx[key]

    pairs = {k: {} for k in KINDS}
    wild = {k: set() for k in KINDS}
    rate = {}
    for r in rels:
        doc = r["doc"]
        src = find(doc, r, "row")
        opt = r.get("optional") or False
        opt_fields = set(KINDS) if opt is True else set(opt or ())
        src_opt = bool(gold[doc][src].get("optional"))
        if "rate_type" in r:
            if r["rate_type"] not in RATE_TYPES or not set(r.get("rate_type_alt") or ()) <= RATE_TYPES:
                raise ValueError(f"relations.jsonl: bad rate_type in {r}")
            if (doc, src) in rate:
                raise ValueError(f"relations.jsonl: two rate relations for {doc} {r['evidence']!r}")
            rate[(doc, src)] = (r["rate_type"], {r["rate_type"], *(r.get("rate_type_alt") or ())})
        for kind in KINDS:
            if kind not in r:
                continue
            if kind in ("rate_of", "rate_base") and kind in opt_fields:
                wild[kind].add((doc, src))
            if r[kind] is None:
                continue
            dst = find(doc, r[kind], kind)
            dst_opt = bool(gold[doc][dst].get("optional"))
            pairs[kind][(doc, src, dst)] = kind in opt_fields or src_opt or dst_opt
    return pairs, wild, rate


# ---------------------------------------------------------------- matching (as score.py)

def match_rows(preds, gold, texts):
    """Map each prediction (by position in preds) to (doc, gold row index), as score.score matches.

    Returns (mapping, counts) where counts = {tp, fp} over all predictions (tp includes matches
    to optional rows, which score.score neither counts as tp nor fp).
    """
    by_doc = defaultdict(list)
    for n, p in enumerate(preds):
        by_doc[p["doc"]].append(n)
    mapping, counts = {}, Counter()
    for doc, grows in gold.items():
        text = texts[doc]
        glist = []
        for i, g in enumerate(grows):
            s, e = S.locate(text, g["evidence"], g.get("occurrence", 0))
            fam, q = S.quantity(g.get("base_value") if g.get("base_value") is not None else g.get("value"),
                                g.get("base_unit") or g.get("unit"))
            if g.get("missing"):
                fam = S.unit_key(g.get("base_unit") or g.get("unit"))[0]
            glist.append(dict(_i=i, _s=s, _e=e, _fam=fam, _q=q, _used=False, missing=g.get("missing"),
                              optional=g.get("optional")))
        for n in by_doc.get(doc, []):
            p = preds[n]
            p_missing = bool(p.get("missing")) or not S.isnum(p.get("value"))
            fam, q = S.quantity(p.get("value"), p.get("unit"))
            ps, pe = int(p.get("start", -1)), int(p.get("end", -1))
            match = None
            for g in glist:
                if g["_used"] or not (ps < g["_e"] and g["_s"] < pe):
                    continue
                if g["missing"] and p_missing and fam == g["_fam"]:
                    match = g
                    break
                if not g["missing"] and not p_missing and fam == g["_fam"] and q is not None \
                        and S.same_q(q, g["_q"]):
                    match = g
                    break
            if match is None:
                counts["fp"] += 1
                continue
            match["_used"] = True
            mapping[n] = (doc, match["_i"])
            counts["opt" if match["optional"] else "tp"] += 1
    return mapping, counts


def cross_check(preds, gold, texts, counts):
    """The matching above must agree with score.py's own tallies."""
    t = S.score([dict(p) for p in preds], gold, texts)[0]
    mine = (counts["tp"], counts["fp"])
    theirs = (t["value_tp"] + t["missing_tp"], t["value_fp"] + t["missing_fp"])
    return mine == theirs, mine, theirs


# ---------------------------------------------------------------- scoring

def _ids(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, (list, tuple, set)):
        return [str(x) for x in v if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return [str(v)]


def _prf(tp, fp, gold):
    p, r = S.ratio(tp, tp + fp), S.ratio(tp, gold)
    f1 = 2 * p * r / (p + r) if p == p and r == r and (p + r) else float("nan")
    return dict(precision=p, recall=r, f1=f1, tp=tp, fp=fp, gold=gold)


def score_relations(preds, gold, texts, rels):
    pairs, wild, rate = index_relations(gold, rels)
    preds = [p for p in preds if p["doc"] in gold]
    mapping, counts = match_rows(preds, gold, texts)
    ok, mine, theirs = cross_check(preds, gold, texts, counts)
    if not ok:
        print(f"warning: row matching differs from score.py (tp, fp) {mine} vs {theirs}", file=sys.stderr)

    def g_opt(doc, i):
        return bool(gold[doc][i].get("optional"))

    ids = defaultdict(dict)  # doc -> metric_id -> pred index
    dup = 0
    for n, p in enumerate(preds):
        if p.get("metric_id") is not None:
            key = str(p["metric_id"])
            if key in ids[p["doc"]]:
                dup += 1
                continue
            ids[p["doc"]][key] = n

    res = {k: Counter() for k in KINDS}
    hits = {k: set() for k in KINDS}
    wrong = []
    for n, p in enumerate(preds):
        doc = p["doc"]
        for kind in KINDS:
            for t in _ids(p.get(kind)):
                c = res[kind]
                m = ids[doc].get(t)
                if m is None:
                    c["fp"] += 1
                    c["bad_ref"] += 1
                    wrong.append((kind, doc, "unknown id", p.get("metric_id"), t))
                    continue
                gs, gd = mapping.get(n), mapping.get(m)
                if gs is None or gd is None:
                    if (gs and g_opt(*gs)) or (gd and g_opt(*gd)):
                        continue
                    c["fp"] += 1
                    c["fp_unmatched_end"] += 1
                    wrong.append((kind, doc, "end matches no gold row",
                                  texts[doc][int(p.get("start", 0)):int(p.get("end", 0))],
                                  texts[doc][int(preds[m].get("start", 0)):int(preds[m].get("end", 0))]))
                    continue
                key = (doc, gs[1], gd[1])
                if key in pairs[kind]:
                    if not pairs[kind][key]:
                        hits[kind].add(key)
                    continue
                if g_opt(*gs) or g_opt(*gd) or (doc, gs[1]) in wild[kind]:
                    continue
                c["fp"] += 1
                wrong.append((kind, doc, "not in key", gold[doc][gs[1]]["evidence"], gold[doc][gd[1]]["evidence"]))

    out, misses = {}, []
    tot = Counter()
    for kind in KINDS:
        required = {k for k, o in pairs[kind].items() if not o}
        tp = len(hits[kind])
        out[kind] = _prf(tp, res[kind]["fp"], len(required))
        out[kind]["fp_unmatched_end"] = res[kind]["fp_unmatched_end"]
        out[kind]["bad_ref"] = res[kind]["bad_ref"]
        tot.update(tp=tp, fp=res[kind]["fp"], gold=len(required))
        for doc, s, d in sorted(required - hits[kind]):
            misses.append((kind, doc, gold[doc][s]["evidence"], gold[doc][d]["evidence"]))
    out["all"] = _prf(tot["tp"], tot["fp"], tot["gold"])

    rt = Counter()
    rt_wrong = []
    for n, (doc, i) in mapping.items():
        got = preds[n].get("rate_type")
        got = None if got is None or (isinstance(got, float) and math.isnan(got)) else got
        if (doc, i) in rate:
            if g_opt(doc, i):
                continue
            want, accepted = rate[(doc, i)]
            rt["n"] += 1
            if got in accepted:
                rt["ok"] += 1
            else:
                rt_wrong.append((doc, gold[doc][i]["evidence"], got, want))
        elif got is not None and gold[doc][i].get("kind") != "rate":
            rt["on_nonrate"] += 1
    out["rate_type_acc"] = S.ratio(rt["ok"], rt["n"])
    out["rate_type_n"] = rt["n"]
    out["rate_type_on_nonrate"] = rt["on_nonrate"]
    out["rows_matched"] = len(mapping)
    out["duplicate_ids"] = dup
    out["matching_agrees_with_score_py"] = ok
    return out, misses, wrong, rt_wrong


# ---------------------------------------------------------------- gold -> prediction format

def gold_to_pred(gold, rels):
    """The key written as predictions: one row per gold metric row, metric_id = its line index in
    bNN.jsonl, relation fields from relations.jsonl (a field with several targets becomes a list)."""
    idx = _ref_index(gold)
    links = defaultdict(lambda: defaultdict(list))
    rtype = {}
    for r in rels:
        doc = r["doc"]
        src = idx[(doc, r["evidence"], r.get("occurrence", 0))]
        if "rate_type" in r:
            rtype[(doc, src)] = r["rate_type"]
        for kind in KINDS:
            if r.get(kind) is not None:
                links[(doc, src)][kind].append(idx[(doc, r[kind]["evidence"], r[kind].get("occurrence", 0))])
    out = []
    for doc, rows in gold.items():
        for i, g in enumerate(rows):
            bv = g.get("base_value")
            value, unit = (bv, g.get("base_unit") or g.get("unit")) if bv is not None else (g.get("value"), g.get("unit"))
            if g.get("missing"):
                value, unit = None, g.get("base_unit") or g.get("unit")
            row = {"doc": doc, "evidence": g["evidence"], "occurrence": g.get("occurrence", 0),
                   "value": value, "unit": unit, "missing": bool(g.get("missing")),
                   "approx": bool(g.get("approx")), "kind": g.get("kind"), "category": g.get("category"),
                   "metric_id": i, "rate_type": rtype.get((doc, i))}
            for kind in KINDS:
                t = links[(doc, i)].get(kind, [])
                row[kind] = None if not t else t[0] if len(t) == 1 else t
            out.append(row)
    return out


def with_offsets(rows, texts):
    for r in rows:
        s, e = S.locate(texts[r["doc"]], r.pop("evidence"), r.pop("occurrence"))
        r["start"], r["end"] = s, e
    return rows


# ---------------------------------------------------------------- self-test

def self_test(gold_dirs):
    texts, gold, rels = load_gold(gold_dirs)
    assert rels, "no relations.jsonl found"
    _, _, rate = index_relations(gold, rels)
    for doc, rows in gold.items():  # every rate row of the key carries a rate relation
        for i, g in enumerate(rows):
            assert g.get("kind") != "rate" or (doc, i) in rate, f"rate row without relation: {doc} {g['evidence']}"
    preds = with_offsets(gold_to_pred(gold, rels), texts)
    s = score_relations(preds, gold, texts, rels)[0]
    assert s["matching_agrees_with_score_py"], "row matching disagrees with score.py"
    assert s["rows_matched"] == len(preds), (s["rows_matched"], len(preds))
    for kind in KINDS + ("all",):
        v = s[kind]
        if v["gold"]:
            assert v["precision"] == 1.0 and v["recall"] == 1.0, (kind, v)
    assert s["rate_type_acc"] == 1.0, s["rate_type_acc"]

    # the scorer can fail: drop a required part_of, add a wrong link, flip a rate_type, lose all relations
    def rescore(rows):
        return score_relations(rows, gold, texts, rels)[0]
    p = [dict(r) for r in preds]
    j = next(n for n, r in enumerate(p) if r["part_of"] is not None and not isinstance(r["part_of"], list)
             and not gold[r["doc"]][r["metric_id"]].get("optional"))
    p[j]["part_of"] = None
    assert rescore(p)["part_of"]["recall"] < 1.0
    p = [dict(r) for r in preds]
    j = next(n for n, r in enumerate(p) if r["rate_type"] == "completion")
    p[j]["rate_type"] = "share"
    p[j]["rate_of"] = p[j]["metric_id"]
    s2 = rescore(p)
    assert s2["rate_type_acc"] < 1.0 and s2["rate_of"]["precision"] < 1.0 and s2["rate_of"]["recall"] < 1.0
    bare = [{k: v for k, v in r.items() if k not in REL_FIELDS} for r in preds]
    s3 = rescore(bare)
    assert s3["all"]["recall"] == 0.0 and s3["all"]["tp"] == 0 and s3["rate_type_acc"] == 0.0
    return s


def show(s):
    for kind in KINDS + ("all",):
        v = s[kind]
        extra = "" if kind == "all" else f" unmatched_end={v['fp_unmatched_end']} bad_ref={v['bad_ref']}"
        print(f"{kind:9s} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f} "
              f"(tp={v['tp']} fp={v['fp']} gold={v['gold']}{extra})")
    print(f"rate_type_acc={s['rate_type_acc']:.3f} (n={s['rate_type_n']}) rate_type_on_nonrate="
          f"{s['rate_type_on_nonrate']} rows_matched={s['rows_matched']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pred", nargs="?")
    ap.add_argument("--gold", nargs="+", default=[str(Path(__file__).resolve().parent.parent / "gold")])
    ap.add_argument("--only", type=lambda s: set(s.split(",")))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", type=int, default=15)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("--gold-as-pred", metavar="OUT")
    args = ap.parse_args()
    if args.self_test:
        s = self_test(args.gold)
        print(json.dumps(s, ensure_ascii=False) if args.json else "self-test OK: gold as predictions scores 1.0")
        return
    texts, gold, rels = load_gold(args.gold, args.only)
    if args.gold_as_pred:
        with open(args.gold_as_pred, "w", encoding="utf-8") as f:
            for r in with_offsets(gold_to_pred(gold, rels), texts):
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        return
    if not args.pred:
        ap.error("PRED.jsonl is required (or --self-test / --gold-as-pred)")
    preds = read_jsonl(args.pred)
    s, misses, wrong, rt_wrong = score_relations(preds, gold, texts, rels)
    if args.json:
        print(json.dumps(s, ensure_ascii=False))
        return
    show(s)
    if not any(any(f in p for f in REL_FIELDS) for p in preds):
        print("note: the predictions carry no relation fields (metric_id, part_of, ...)")
    if args.show:
        for title, items in (("missed pairs", misses), ("false pairs", wrong), ("rate_type errors", rt_wrong)):
            print(f"-- {title}:", len(items))
            for m in items[:args.show]:
                print("  ", m)


if __name__ == "__main__":
    main()
