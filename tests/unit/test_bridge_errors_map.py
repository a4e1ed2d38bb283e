"""ComfyUI error payloads become one error model."""

from api_bridge.errors import ErrorCode
from api_bridge.executors.errors_map import from_execution_error, from_history_status, from_prompt_rejection


def test_prompt_rejection_names_node_and_input():
    body = {
        "error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation"},
        "node_errors": {
            "3": {
                "errors": [
                    {
                        "type": "value_not_in_list",
                        "message": "Value not in list",
                        "details": "kernel: 'blob' not in ['disc']",
                        "extra_info": {"input_name": "kernel"},
                    }
                ],
                "class_type": "IB_MaskGrow",
            }
        },
    }
    err = from_prompt_rejection(body, {})
    assert err.code is ErrorCode.graph_invalid and err.info.node_id == "3" and err.info.node_type == "IB_MaskGrow"
    assert "kernel" in err.info.message and err.http_status == 422
    assert from_prompt_rejection({"error": {"message": "no outputs"}}, {}).info.message == "no outputs"


def test_execution_error_and_history_status():
    data = {
        "node_id": "5",
        "node_type": "IB_Erase",
        "exception_message": "image is 3×3 but mask is 4×4\n",
        "exception_type": "ValueError",
    }
    err = from_execution_error(data)
    assert err.code is ErrorCode.execution_failed and err.info.node_id == "5"
    assert err.info.message == "IB_Erase failed: image is 3×3 but mask is 4×4"
    failed = {
        "status_str": "error",
        "completed": False,
        "messages": [["execution_start", {}], ["execution_error", data]],
    }
    assert from_history_status(failed).info.node_type == "IB_Erase"
    stopped = {"status_str": "error", "completed": False, "messages": [["execution_interrupted", {}]]}
    assert from_history_status(stopped).code is ErrorCode.interrupted
    assert from_history_status({"status_str": "success", "completed": True, "messages": []}) is None
