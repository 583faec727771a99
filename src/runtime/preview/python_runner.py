# The process in which `cors-gen preview` runs a module's Python Lambda code. src/preview/lambda/environments.ts
# starts this machine's interpreter, by the absolute path `python3` resolved to once, as
# `<python> -I -S -B -u -X utf8 python_runner.py <settings as JSON>`: isolated (-I: no PYTHONPATH, no user
# site-packages, not the script's folder) and without site-packages (-S), so that the code imports what it would
# import on Lambda and nothing this machine happens to have installed. The process starts with the preview's own
# minimal environment; the function's variables arrive in the settings and are applied below, before any of its
# code runs, so that they never choose or configure the interpreter itself (a launcher such as pyenv's bash shim
# reads PYENV_VERSION, and bash runs the file BASH_ENV names). It imports the handler once (the cold start), then
# answers one JSON line per invocation on the original stdout. The handler's own prints go to stderr, so they
# cannot corrupt the channel.
#
# Lambda's runtime interface client has imported importlib, json, logging, os, sys, time and traceback before it
# imports the handler (awslambdaric/bootstrap.py,
# https://github.com/aws/aws-lambda-python-runtime-interface-client/blob/main/awslambdaric/bootstrap.py), so a file
# of the code named like one of them (logging.py) is not what `import logging` finds there, for the code or for the
# CORS wrapper; imported here too, before the code is first on sys.path.
import importlib
import json
import logging  # unused here: in sys.modules before the code can shadow it
import os
import sys
import time
import traceback

channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr
settings = json.loads(sys.argv[1])
os.environ.update(settings["environment"])
code_dir, handler_spec = settings["dir"], settings["handler"]
function_name, memory = settings["functionName"], str(settings["memoryMb"])
# What Lambda's Python runtime puts on sys.path: the task root first, then the layers' paths ("Layer paths for
# each Lambda runtime": python/lib/python3.x/site-packages, for the function's runtime, and python,
# https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths), then the standard
# library, and last the runtime's own boto3 and botocore (here: links to this machine's copy, when it has one).
layer_paths = []
if settings.get("optDir"):
    python = os.path.join(settings["optDir"], "python")
    layer_paths = [os.path.join(python, "lib", settings["runtime"], "site-packages"), python]
sys.path[:0] = [code_dir] + layer_paths
if settings.get("sdkDir"):
    sys.path.append(settings["sdkDir"])
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
