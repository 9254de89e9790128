"""``bertdesk attention MODEL_DIR "TEXT"``: what a model attends to in one text."""

from __future__ import annotations

import argparse
import sys

from bertdesk.commands.common import EXIT_OK, StderrProgress, ctrl_c_cancels, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "attention",
        help="show the attention, prediction and saliency of a model on one text",
        description="Explain one text: the prediction (for a trained classifier), the tokens each head "
        "attends to, and the attention maps as JSON or a PNG heatmap.",
    )
    cmd.add_argument("model", metavar="MODEL_DIR", help="a model folder, a hub id, or 'default' for the bundled model")
    cmd.add_argument("text", metavar="TEXT", help="the text to explain ('-' reads it from standard input)")
    cmd.add_argument("--layer", type=int, metavar="L", help="layer to show (1-based; default: the last)")
    cmd.add_argument("--head", type=int, metavar="H", help="head to show (1-based; default: the mean of the heads)")
    cmd.add_argument("--png", metavar="FILE", help="write the selected head's (or the head mean's) heatmap as a PNG")
    cmd.add_argument("--json", metavar="FILE", help="write tokens, attentions, rollout, saliency and prediction as JSON ('-': stdout)")
    cmd.add_argument("--top", type=int, default=5, metavar="K", help="attended tokens to list per query (default 5)")
    cmd.set_defaults(handler=_cmd_attention)


def _cmd_attention(args: argparse.Namespace) -> int:
    from bertdesk.core.ml.attention import NO_CLASSIFIER, explain_text, save_json
    from bertdesk.core.ml.attention_maps import head_mean, top_attended
    from bertdesk.core.ml.attention_png import write_heatmap_png
    from bertdesk.core.progress import CancelToken

    text = sys.stdin.read() if args.text == "-" else args.text
    progress = StderrProgress()
    with ctrl_c_cancels(CancelToken()) as token:
        maps = explain_text(args.model, text, on_progress=progress, cancel=token)
    progress.close()
    layer = _pick(args.layer, maps.layers, "layer")
    head = None if args.head is None else _pick(args.head, maps.heads, "head")
    matrix = head_mean(maps.attentions)[layer] if head is None else maps.attentions[layer, head]
    what = f"layer {layer + 1}, " + ("mean of heads" if head is None else f"head {head + 1}")

    if maps.truncation is not None:
        print(f"bertdesk: warning: {maps.truncation.message}", file=sys.stderr)
    if args.png:
        write_heatmap_png(matrix, args.png)
        print(f"Wrote {args.png} ({what}, {len(maps.tokens)} x {len(maps.tokens)} tokens)", file=sys.stderr)
    if args.json:
        if args.json == "-":
            print_json(maps.to_json())
        else:
            save_json(maps, args.json)
            print(f"Wrote {args.json}", file=sys.stderr)
        return EXIT_OK

    out = sys.stdout
    out.write(f"Model:      {maps.model_name} ({maps.layers} layers x {maps.heads} heads)\n")
    out.write(f"Tokens:     {len(maps.tokens)}: {' '.join(maps.tokens)}\n")
    if maps.probabilities is None:
        out.write(f"Prediction: none. {NO_CLASSIFIER}\n")
    else:
        ranked = sorted(zip(maps.labels, maps.probabilities), key=lambda pair: -pair[1])
        out.write(f"Prediction: {maps.predicted_label}  (" + ", ".join(f"{label} {p:.1%}" for label, p in ranked) + ")\n")
    if args.layer is not None or args.head is not None:
        out.write(f"\nTop attended tokens, {what}:\n")
        width = max(len(t) for t in maps.tokens)
        for query, token in enumerate(maps.tokens):
            tops = top_attended(matrix[query], maps.tokens, max(1, args.top))
            out.write(f"  {token.ljust(width)} -> " + "  ".join(f"{t} {w:.2f}" for t, w in tops) + "\n")
    return EXIT_OK


def _pick(value: int | None, count: int, what: str) -> int:
    """A 1-based choice from the command line as a 0-based index (default: the last)."""
    from bertdesk.core.ml.attention import AttentionError

    if value is None:
        return count - 1
    if not 1 <= value <= count:
        raise AttentionError(f"--{what} {value} does not exist: this model has {count} {what}s (1 to {count}).")
    return value - 1
