"""The bundled demo: a small training script with a bug, run by `nndoctor demo`."""
