"""Train the agent's learned intent model on the labelled held-back messages and write it where the agent reads it.

    PYTHONPATH=src:. .venv/bin/python scripts/train_intent_model.py

Run it after a label in tests/agent/data changes or a set is added to `tests.agent.heldout.TRAIN_SETS`
(tests/agent/test_intent_model.py fails until then). Takes ~20 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from tests.agent.heldout import TRAIN_SETS, training_examples  # noqa: E402

from niaga.agent import intent_model  # noqa: E402


def main() -> int:
    examples = training_examples(TRAIN_SETS)
    t0 = time.perf_counter()
    model = intent_model.train(examples)
    intent_model.save(model, intent_model.MODEL_PATH)
    right = sum(model.predict(t)[0] == i for t, i in examples)
    print(
        f"trained on {len(examples)} messages of {len(TRAIN_SETS)} sets in {time.perf_counter() - t0:.1f} s: "
        f"{len(model.index)} features, {len(model.classes)} intents, {right}/{len(examples)} right on its own "
        f"training data; wrote {intent_model.MODEL_PATH} ({intent_model.MODEL_PATH.stat().st_size} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
