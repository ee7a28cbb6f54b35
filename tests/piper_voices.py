"""Tiny Piper voices built with the onnx package: piper's inputs and output, a sine for speech.

Like piper1-gpl's tests/generate_test_voice.py, without torch. The model takes ``input``
(int64 [1, N] phoneme ids), ``input_lengths`` (int64 [1]), ``scales`` (float32 [3]: noise,
length, noise_w) and, with several speakers, ``sid`` (int64 [1]). Every phoneme id lasts
``FRAMES_PER_ID * length_scale`` frames, rounded up by a ``Ceil`` node as VITS's duration
predictor is, so piper can expose those durations as alignments; the output (float32
[1, 1, T]) is a sine over the ``input_lengths`` ids' frames, its pitch ``BASE_HZ`` times
(speaker + 1): a speaker can be heard.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

SAMPLE_RATE = 22050
HOP_LENGTH = 256  # samples per frame, piper's default
FRAMES_PER_ID = 2.0
BASE_HZ = 220.0
# The ids of one phoneme and the pad after it, at length_scale 1, in ms.
MS_PER_PHONEME = 2 * FRAMES_PER_ID * HOP_LENGTH * 1000 / SAMPLE_RATE


def constant(name: str, value: object, dtype: type) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(value, dtype=dtype), name)


def durations(aligned: bool = True) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """Nodes giving ``w_ceil`` (frames per id) and ``t`` (sample index 0..T-1, as floats)."""
    nodes = [
        helper.make_node("Concat", ["one_dim", "input_lengths"], ["ids_shape"], axis=0),
        helper.make_node("ConstantOfShape", ["ids_shape"], ["ones"],
                         value=helper.make_tensor("one_value", TensorProto.FLOAT, [1], [1.0])),
        helper.make_node("Gather", ["scales", "length_index"], ["length_scale"], axis=0),
        helper.make_node("Mul", ["ones", "length_scale"], ["scaled"]),
        helper.make_node("Mul", ["scaled", "frames_per_id"], ["w"]),
        # Without a Ceil node piper finds no durations to expose: a voice without alignments.
        helper.make_node("Ceil" if aligned else "Floor", ["w"], ["w_ceil"]),
        helper.make_node("ReduceSum", ["w_ceil"], ["frames"], keepdims=0),
        helper.make_node("Mul", ["frames", "hop"], ["samples"]),
        helper.make_node("Range", ["zero", "samples", "step"], ["t"]),
    ]
    constants = [constant("one_dim", [1], np.int64), constant("length_index", 1, np.int64),
                 constant("frames_per_id", FRAMES_PER_ID, np.float32),
                 constant("hop", float(HOP_LENGTH), np.float32), constant("zero", 0.0, np.float32),
                 constant("step", 1.0, np.float32)]
    return nodes, constants


def sine(speakers: int) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """Nodes turning ``t`` into the ``output`` sine, its pitch set by ``sid`` when there is one."""
    nodes, constants = [], [constant("radians_per_sample", 2 * math.pi * BASE_HZ / SAMPLE_RATE, np.float32),
                            constant("amplitude", 0.5, np.float32),
                            constant("output_shape", [1, 1, -1], np.int64)]
    pitch = "radians_per_sample"
    if speakers > 1:
        constants.append(constant("one", 1.0, np.float32))
        nodes += [helper.make_node("Cast", ["sid"], ["sid_float"], to=TensorProto.FLOAT),
                  helper.make_node("Add", ["sid_float", "one"], ["harmonic"]),
                  helper.make_node("Mul", ["radians_per_sample", "harmonic"], ["pitch"])]
        pitch = "pitch"
    nodes += [helper.make_node("Mul", ["t", pitch], ["phase"]),
              helper.make_node("Sin", ["phase"], ["wave"]),
              helper.make_node("Mul", ["wave", "amplitude"], ["loud"]),
              helper.make_node("Reshape", ["loud", "output_shape"], ["output"])]
    return nodes, constants


def voice_model(speakers: int = 1, aligned: bool = True) -> onnx.ModelProto:
    inputs = [helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
              helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
              helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])]
    if speakers > 1:
        inputs.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
    timing, timing_constants = durations(aligned)
    sound, sound_constants = sine(speakers)
    output = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, "samples"])
    graph = helper.make_graph(timing + sound, "test_voice", inputs, [output],
                              timing_constants + sound_constants)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # read by every onnxruntime piper supports
    onnx.checker.check_model(model)
    return model


def voice_config(speakers: int = 1, language: str = "ar_JO", espeak: str = "ar") -> dict[str, object]:
    """A voice's .onnx.json as piper's exporter writes it (fields piper reads, and the listing's)."""
    return {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "x_low"},
        "espeak": {"voice": espeak},
        "language": {"code": language},
        "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": 256,
        "num_speakers": speakers,
        "speaker_id_map": {f"reader{i}": i for i in range(speakers)} if speakers > 1 else {},
        "piper_version": "1.0.0",
    }


def write_voice(folder: Path, name: str, speakers: int = 1, aligned: bool = True,
                **config: str) -> Path:
    """NAME.onnx and NAME.onnx.json in ``folder``; returns the .onnx path."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / f"{name}.onnx"
    onnx.save(voice_model(speakers, aligned), model)
    Path(f"{model}.json").write_text(json.dumps(voice_config(speakers, **config)), encoding="utf-8")
    return model
