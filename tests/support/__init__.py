"""Test support: locating ComfyUI, running it, and talking to it over HTTP."""
