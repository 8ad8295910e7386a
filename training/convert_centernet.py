"""Converts the COCO object detector of the npm package @vladmandic/human to ONNX, once,
at development time: photofinder/data/detector/centernet.onnx, which ships in the
package and runs in onnxruntime (photofinder/detector.py). Nothing here runs for users.

The model: MobileNetV3 CenterNet trained on COCO's 80 categories
(https://github.com/610265158/mobilenetv3_centernet), shipped by @vladmandic/human
(MIT) as a TF.js graph model: `models/centernet.json` (topology + weights manifest) and
`models/centernet.bin` (weights, float16-quantized floats and int32 constants).

- input  `tower_0/images`: float32 [1, 512, 512, 3], RGB pixel values 0..255, the whole
  photo resized (stretched, no letterbox) to 512 x 512, as human's centernet.ts feeds it;
- output `tower_0/detections`: float32 [1, 100, 6], the 100 strongest centre points as
  (x1, y1, x2, y2, score, class): corners in input pixels (0..512), score 0..1 (a
  sigmoid), class 0..79 in COCO's order of its 80 categories (person = 0).

How (the `tensorflowjs` converter needs tensorflow-decision-forests, whose pip
resolution did not finish here): the JSON topology is parsed into a GraphDef, each
weight node gets its tensor from the .bin in weightsManifest order (dequantized to
float32), the fused ops TF.js names its own way get the attributes TensorFlow wants
(`FusedDepthwiseConv2dNative` -> `_FusedDepthwiseConv2dNative`, `num_args`, `TArgs`),
then tf2onnx converts the frozen graph. The script runs both and prints the largest
absolute difference of their detections on a few photos.

Versions used: tensorflow-cpu 2.21.0, tf2onnx 1.17.0, onnx 1.23.2, onnxruntime 1.32.0,
@vladmandic/human 3.3.6, in a separate virtual environment (never the project's: it
would bring TensorFlow to every install):

    npm pack @vladmandic/human && tar xzf vladmandic-human-*.tgz package/models
    python3 -m venv /tmp/tfenv && /tmp/tfenv/bin/pip install tensorflow-cpu tf2onnx onnx onnxruntime pillow
    /tmp/tfenv/bin/python training/convert_centernet.py package/models/centernet.json \
        --check ../shared/data/coco-dev
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

INPUT = "tower_0/images"
OUTPUT = "tower_0/detections"
SIDE = 512
OPSET = 13
TARGET = Path(__file__).resolve().parents[1] / "photofinder" / "data" / "detector" / "centernet.onnx"


def read_weights(model_json: dict, folder: Path) -> dict[str, np.ndarray]:
    """Every weight of the manifest, in its order, as the dtype the graph expects."""
    raw = b"".join((folder / p).read_bytes()
                   for group in model_json["weightsManifest"] for p in group["paths"])
    out, at = {}, 0
    for group in model_json["weightsManifest"]:
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            count = int(np.prod(shape)) if shape else 1
            quant = w.get("quantization")
            if quant is None:
                dtype = np.dtype(w["dtype"])
                values = np.frombuffer(raw, dtype, count, at)
            elif quant["dtype"] == "float16":
                dtype = np.dtype(np.float16)
                values = np.frombuffer(raw, dtype, count, at).astype(np.float32)
            else:  # uint8/uint16 affine quantization: none in this model
                raise SystemExit(f"unexpected quantization {quant} of {w['name']}")
            at += count * dtype.itemsize
            out[w["name"]] = values.reshape(shape)
    if at != len(raw):
        raise SystemExit(f"weights manifest covers {at} of {len(raw)} bytes")
    return out


def graph_def(model_path: Path):
    """The TF.js graph as a frozen TensorFlow GraphDef."""
    import tensorflow as tf
    from google.protobuf import json_format

    model_json = json.loads(model_path.read_text())
    weights = read_weights(model_json, model_path.parent)
    topology = dict(model_json["modelTopology"])
    topology.pop("versions", None)
    topology.pop("library", None)
    gd = json_format.ParseDict(topology, tf.compat.v1.GraphDef())
    filled = 0
    for node in gd.node:
        if node.name in weights:
            value = weights[node.name]
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value, dtype=value.dtype))
            node.attr["dtype"].type = tf.as_dtype(value.dtype).as_datatype_enum
            filled += 1
        if node.op == "FusedDepthwiseConv2dNative":
            node.op = "_FusedDepthwiseConv2dNative"
        if node.op in ("_FusedConv2D", "_FusedDepthwiseConv2dNative"):
            extra = len(node.input) - 2   # bias (and the like) after input and filter
            node.attr["num_args"].i = extra
            if node.op == "_FusedConv2D":  # the depthwise op has no TArgs
                node.attr["TArgs"].list.type[:] = [tf.float32.as_datatype_enum] * extra
        node.device = ""
    if filled != len(weights):
        raise SystemExit(f"{len(weights) - filled} weights have no node in the graph")
    return gd


def photo_input(path: Path) -> np.ndarray:
    """The model's input for one photo (what photofinder/detector.py does)."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGB").resize((SIDE, SIDE), Image.BILINEAR)
        return np.asarray(im, np.float32)[None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="centernet.json of @vladmandic/human")
    parser.add_argument("--out", type=Path, default=TARGET)
    parser.add_argument("--check", type=Path, help="a folder of photos to compare TF and ONNX on")
    parser.add_argument("--photos", type=int, default=6)
    args = parser.parse_args()

    import onnx
    import tensorflow as tf
    import tf2onnx

    gd = graph_def(args.model)
    model, _ = tf2onnx.convert.from_graph_def(
        gd, input_names=[INPUT + ":0"], output_names=[OUTPUT + ":0"], opset=OPSET)
    model.doc_string = ("MobileNetV3 CenterNet, COCO 80 classes, from @vladmandic/human "
                        "models/centernet (MIT); training/convert_centernet.py")
    onnx.checker.check_model(model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(model.SerializeToString())
    tmp.replace(args.out)
    print(f"{args.out}: {args.out.stat().st_size / 2**20:.1f} MB, opset {OPSET}")

    if args.check:
        import onnxruntime as ort

        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.import_graph_def(gd, name="")
        session = tf.compat.v1.Session(graph=graph)
        runtime = ort.InferenceSession(str(args.out), providers=["CPUExecutionProvider"])
        name = runtime.get_inputs()[0].name
        worst = 0.0
        for path in sorted(args.check.glob("*.jpg"))[:args.photos]:
            x = photo_input(path)
            expected = session.run(OUTPUT + ":0", {INPUT + ":0": x})
            got = runtime.run(None, {name: x})[0]
            diff = float(np.abs(expected - got).max())
            worst = max(worst, diff)
            top = expected[0][expected[0, :, 4] > 0.3]
            print(f"{path.name}: max |TF - ONNX| {diff:.2e}; "
                  f"classes > 0.3: {sorted(int(c) for c in top[:, 5])}")
        print(f"largest difference over the photos: {worst:.2e}")


if __name__ == "__main__":
    main()
