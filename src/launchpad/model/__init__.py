"""The course model as an artifact.

- `source`: which model to use (the course model, a folder, or a Hub id) and a pipeline on it;
  `from launchpad.model import resolve, load_pipeline` is what lessons and learners write;
- `build`: the course model's recipe, trained once per machine and cached; `data`: its data;
- `card`: its model card; `onnx_export`: the int8 ONNX export that module 06 serves.
"""

from launchpad.model.source import ENV_VAR, ModelError, ResolvedModel, load_pipeline, resolve

__all__ = ["ENV_VAR", "ModelError", "ResolvedModel", "load_pipeline", "resolve"]
