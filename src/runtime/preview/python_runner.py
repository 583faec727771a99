# The process in which `cors-gen preview` runs a module's Python Lambda code (src/preview/lambda/environments.ts
# starts it as `python3 -u python_runner.py <code dir> <module.function> <function name> <memory MB> [<opt dir>]`): it imports
# the handler once (the cold start), then answers one JSON line per invocation on the original stdout. The
# handler's own prints go to stderr, so they cannot corrupt the channel.
import importlib
import json
import os
import sys
import time
import traceback

channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr
code_dir, handler_spec, function_name, memory = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
# sys.path[0] is this script's folder; the function's code takes its place, as Lambda puts the task root first.
sys.path[0] = code_dir
# With layers, the staged /opt's python/ folder follows the task root, as on Lambda ("Layer paths for each Lambda
# runtime", https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths).
if len(sys.argv) > 5:
    sys.path.insert(1, os.path.join(sys.argv[5], "python"))
module_name, _, function = handler_spec.rpartition(".")
handler, init_error = None, None
try:
    handler = getattr(importlib.import_module(module_name), function)
except Exception as error:
    traceback.print_exc()
    init_error = {"errorType": "Runtime.ImportModuleError", "errorMessage": "Unable to import module '%s': %s" % (module_name, error)}


class Context:
    """The context object of the Python runtime: https://docs.aws.amazon.com/lambda/latest/dg/python-context.html"""

    def __init__(self, request_id, deadline_ms):
        self.aws_request_id = request_id
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
        self.log_group_name = "/aws/lambda/" + function_name
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


for line in sys.stdin:
    request = json.loads(line)
    answer = {"id": request["id"]}
    if init_error is not None:
        answer.update(ok=False, **init_error)
    else:
        try:
            result = handler(request["event"], Context(request["context"]["awsRequestId"], request["context"]["deadlineMs"]))
            answer.update(ok=True, payload=json.dumps(result))
        except Exception as error:
            traceback.print_exc()
            answer.update(ok=False, errorType=type(error).__name__, errorMessage=str(error))
    channel.write(json.dumps(answer) + "\n")
    channel.flush()
