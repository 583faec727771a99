"""Runs Lambda CORS vectors against the rendered Python code, in one process.

Usage: python3 run_vectors.py <lambda-dir> < vectors.json > results.json

stdin holds {"vectors": [...]} in the format of test/runtime/vectors.json. stdout gets a JSON list with, per vector,
a list with, per request: {"response", "appCalled", "errorLogged", "appResultUnchanged", "eventUnchanged"}, or
{"crash": traceback} when the wrapper itself raised.
"""

import json
import logging
import sys
import traceback


class _Counter(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record):
        self.count += 1


def main():
    sys.path.insert(0, sys.argv[1])
    import cors  # noqa: E402  (the rendered module, from the directory given on the command line)

    counter = _Counter()
    log = logging.getLogger("cors_gen")
    log.addHandler(counter)
    log.propagate = False

    document = json.load(sys.stdin)
    results = []
    for vector in document["vectors"]:
        app_spec = vector["app"]
        state = {"called": False}
        # The same object on every call, as an app with a module-level response would return it.
        shared_result = app_spec.get("return")
        snapshot = json.dumps(shared_result, sort_keys=True)

        def handle(event, context, app_spec=app_spec, state=state, shared_result=shared_result):
            state["called"] = True
            if "throw" in app_spec:
                raise RuntimeError(app_spec["throw"])
            return shared_result

        handler = cors.create_handler(handle, cors.config_from_env(vector["env"]))
        outcomes = []
        for request in vector["requests"]:
            event = request["event"]
            event_snapshot = json.dumps(event, sort_keys=True)
            state["called"] = False
            counter.count = 0
            try:
                response = handler(event, None)
            except Exception:
                outcomes.append({"crash": traceback.format_exc()})
                continue
            outcomes.append(
                {
                    "response": response,
                    "appCalled": state["called"],
                    "errorLogged": counter.count > 0,
                    "appResultUnchanged": json.dumps(shared_result, sort_keys=True) == snapshot,
                    "eventUnchanged": json.dumps(event, sort_keys=True) == event_snapshot,
                }
            )
        results.append(outcomes)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
