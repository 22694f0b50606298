"""The reference trainer's pieces (one concern a module); `trainer/reference_trainer.py` is the entry point."""
NAME = "gauntlet-reference"
VERSION = "1.0.0"
