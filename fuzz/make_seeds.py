#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses: a few small, valid inputs per reader.

What it writes, under fuzz/corpus/<harness>/ (each file a few hundred bytes at most):
  safetensors  files as save_safetensors lays them out (header padded to 8 bytes, float64 first)
  model_card   safetensors files whose metadata is a model card (image and token models)
  idx          IDX label and image files, plain and gzip
  image        PGM (P5 8- and 16-bit, P2 with comments) and PNG (gray, 1-bit, 16-bit, RGB, RGBA,
               palette with transparency, interlaced)
  mail         mails: plain, encoded words, multipart/alternative with HTML and quoted-printable,
               base64, message/rfc822, an mbox "From " line
  vocabulary   vocabulary files with "\\n" and "\\r\\n" endings, with and without a final newline
  json         safetensors header texts: escapes and surrogate pairs, every kind of value
  infer_request  the server's inference requests: images, nested data, texts, token ids
The run_config seeds are not written here: they are config.json files of real `minitorch train`
runs (the writer is the program itself), copied by hand.

Only the standard library is used, and the output is the same on every run. How to run it (from
the repository root), then commit what changed:

    python3 fuzz/make_seeds.py

Seeds that reproduce a fixed finding sit next to these (named finding-*) and are never rewritten.
"""

import gzip
import json
import os
import struct
import zlib

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(harness, name, data):
    folder = os.path.join(CORPUS, harness)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data.encode() if isinstance(data, str) else data)


# ---- safetensors --------------------------------------------------------------------------------


def compact_json(value):
    """JSON without spaces and with UTF-8 as is, as the library and nlohmann-json write it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def safetensors(tensors, metadata=None):
    """tensors: (name, "F32" | "F64", shape, values); laid out as the library writes them."""
    ordered = [t for t in tensors if t[1] == "F64"] + [t for t in tensors if t[1] == "F32"]
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    for name, dtype, shape, values in ordered:
        packed = struct.pack("<%d%s" % (len(values), "d" if dtype == "F64" else "f"), *values)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(packed)]}
        data += packed
    text = compact_json(header).encode()
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write_safetensors():
    pt = {"format": "pt", "minitorch_format_version": "1"}
    write("safetensors", "linear.safetensors", safetensors(
        [("weight", "F32", [2, 3], [0.5, -1.0, 2.0, 0.0, 1e-3, -7.25]),
         ("bias", "F32", [2], [0.1, -0.2])], pt))
    write("safetensors", "mixed.safetensors", safetensors(
        [("a", "F32", [3], [1.0, 2.0, 3.0]), ("b", "F64", [1, 2], [3.5, -4.5])],
        dict(pt, note="éxtra")))
    write("safetensors", "empty_and_scalar.safetensors", safetensors(
        [("none", "F32", [0, 4], []), ("scalar", "F64", [], [42.0])]))
    write("safetensors", "no_tensors.safetensors", safetensors([], pt))


def write_model_cards():
    image_card = {"task": "fashion-mnist", "model": "lenet", "epoch": "3",
                  "classes": compact_json(["T-shirt/top", "Trouser", "Pullover"]),
                  "input": "image", "input_shape": "[1,28,28]", "vocab_size": "0",
                  "embedding_dim": "0", "normalize_mean": "0.2860", "normalize_std": "0.3530"}
    token_card = {"task": "spam", "model": "textcnn", "epoch": "5",
                  "classes": compact_json(["ham", "spam"]), "input": "tokens",
                  "input_shape": "[256]", "vocab_size": "20000", "embedding_dim": "64",
                  "normalize_mean": "0", "normalize_std": "1"}
    pt = {"format": "pt", "minitorch_format_version": "1"}
    write("model_card", "image.safetensors", safetensors([], dict(pt, **image_card)))
    write("model_card", "tokens.safetensors",
          safetensors([("fc.bias", "F32", [2], [0.0, 0.5])], dict(pt, **token_card)))


# ---- IDX ----------------------------------------------------------------------------------------


def idx(shape, values):
    return bytes([0, 0, 8, len(shape)]) + b"".join(struct.pack(">I", s) for s in shape) + \
        bytes(values)


def write_idx():
    labels = idx([10], list(range(10)))
    images = idx([2, 4, 4], [(i * 37) % 256 for i in range(32)])
    write("idx", "labels.idx", labels)
    write("idx", "images.idx", images)
    write("idx", "images.idx.gz", gzip.compress(images, mtime=0))
    write("idx", "four_dims.idx", idx([1, 2, 2, 2], range(8)))


# ---- images -------------------------------------------------------------------------------------


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def packed_row(samples, bit_depth):
    """One scanline of samples at bit_depth (1, 2, 4, 8 or 16), filter byte 0 first."""
    if bit_depth == 16:
        return b"\0" + b"".join(struct.pack(">H", s) for s in samples)
    if bit_depth == 8:
        return b"\0" + bytes(samples)
    per_byte, out = 8 // bit_depth, bytearray()
    for start in range(0, len(samples), per_byte):
        byte = 0
        for k, s in enumerate(samples[start:start + per_byte]):
            byte |= s << (8 - bit_depth * (k + 1))
        out.append(byte)
    return b"\0" + bytes(out)


# Adam7: (first column, first row, column step, row step) of each of the seven passes.
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]


def png(width, height, bit_depth, color_type, pixels, channels, extra=b"", interlaced=False):
    """pixels: rows of samples, `channels` samples per pixel."""
    def rows_of(x0, y0, dx, dy):
        return [packed_row([s for x in range(x0, width, dx)
                            for s in pixels[y][x * channels:(x + 1) * channels]], bit_depth)
                for y in range(y0, height, dy) if x0 < width]
    scanlines = [r for p in ADAM7 for r in rows_of(*p)] if interlaced else rows_of(0, 0, 1, 1)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, int(interlaced))
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + extra + \
        png_chunk(b"IDAT", zlib.compress(b"".join(scanlines), 9)) + png_chunk(b"IEND", b"")


def write_images():
    gray = [[(x * 40 + y * 20) % 256 for x in range(6)] for y in range(5)]
    write("image", "gray.png", png(6, 5, 8, 0, gray, 1))
    write("image", "gray_interlaced.png", png(6, 5, 8, 0, gray, 1, interlaced=True))
    write("image", "gray_1bit.png",
          png(9, 3, 1, 0, [[(x + y) % 2 for x in range(9)] for y in range(3)], 1))
    write("image", "gray_16bit.png",
          png(3, 2, 16, 0, [[x * 30000 + y for x in range(3)] for y in range(2)], 1))
    write("image", "rgb.png", png(4, 2, 8, 2, [[(x * 60 + c * 20) % 256 for x in range(4)
                                                 for c in range(3)] for _ in range(2)], 3))
    write("image", "rgba.png", png(3, 3, 8, 6, [[v for x in range(3)
                                                  for v in (x * 80, y * 80, 200, x * 120)]
                                                 for y in range(3)], 4))
    palette = png_chunk(b"PLTE", bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255]))
    transparency = png_chunk(b"tRNS", bytes([0, 128]))
    write("image", "palette_trns.png",
          png(4, 4, 2, 3, [[(x + y) % 4 for x in range(4)] for y in range(4)], 1,
              extra=palette + transparency))
    write("image", "p5.pgm", b"P5\n4 3\n255\n" + bytes(range(0, 240, 20)))
    write("image", "p5_16bit.pgm", b"P5 2 2 65535\n" + struct.pack(">4H", 0, 1000, 40000, 65535))
    write("image", "p2_comments.pgm", "P2\n# a comment\n3 2 # width height\n15\n0 5 10\n15 7 1\n")


# ---- mail ---------------------------------------------------------------------------------------


def write_mails():
    write("mail", "plain.eml", "From sender@example.com Mon Jan  1 00:00:00 2001\n"
          "From: a@example.com\nSubject: Hello\n  again\n\nPlain body line.\n")
    write("mail", "encoded_subject.eml",
          "Subject: =?utf-8?Q?Caf=C3=A9_time?= =?ISO-8859-1?B?SGVq?=\n\nBody\n")
    write("mail", "alternative.eml",
          "Subject: offer\nMIME-Version: 1.0\n"
          "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
          "preamble\n--b1\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
          "Fr=65e soft=\nbreak\n--b1\nContent-Type: text/html; charset=utf-8\n\n"
          "<html><style>p{}</style><p>Fr<b>ee</b> &amp; &#233; &#x41;<a href=\"http://x.example\">"
          "link</a><!-- hidden --><script>x()</script></p></html>\n--b1--\nepilogue\n")
    write("mail", "base64_attachment.eml",
          "Subject: files\nContent-Type: multipart/mixed; boundary=outer\n\n--outer\n"
          "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29ybGQ=\n"
          "--outer\nContent-Type: application/octet-stream\n"
          "Content-Disposition: attachment; filename=a.bin\n\nAAAA\n--outer--\n")
    write("mail", "forwarded.eml",
          "Subject: Fwd\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\n"
          "Content-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--x--\n")
    write("mail", "no_headers.eml", "just some text\nwithout headers\n")


# ---- vocabulary and JSON ------------------------------------------------------------------------


def write_vocabularies():
    write("vocabulary", "vocab.txt", "<pad>\n<unk>\nthe\nfree\nmoney\n")
    write("vocabulary", "crlf.txt", "<pad>\r\n<unk>\r\nclick\r\nhere")
    write("vocabulary", "minimal.txt", "<pad>\n<unk>\n")


def write_json():
    write("json", "header.json", '{"__metadata__":{"format":"pt"},"w":{"dtype":"F32",'
          '"shape":[2,3],"data_offsets":[0,24]}}')
    write("json", "escapes.json", r'["a\"b\\c\/\b\f\n\r\t", "\u00e9\ud83d\ude00", "é"]')
    write("json", "values.json", '{"n": [0, -1, 1.5e-3, 18446744073709551615, 1E+2], '
          '"b": [true, false], "z": null, "o": {"": {}}, "a": [[], [[]]]}')


def write_infer_requests():
    def tensor(name, shape, datatype, data):
        return {"name": name, "shape": shape, "datatype": datatype, "data": data}

    write("infer_request", "image.json", json.dumps(
        {"id": "1", "inputs": [tensor("input", [1, 1, 2, 2], "FP32", [0.0, 0.25, 0.5, 1.0])]}))
    write("infer_request", "nested.json", json.dumps(
        {"inputs": [tensor("input", [2, 2], "FP64", [[0.1, 0.9], [1e30, -2]])],
         "outputs": [{"name": "class"}, {"name": "label"}]}))
    write("infer_request", "texts.json", json.dumps(
        {"inputs": [tensor("text", [2], "BYTES", ["free money", "\u00e9t\u00e9"])]}))
    write("infer_request", "tokens.json", json.dumps(
        {"inputs": [tensor("tokens", [1, 4], "INT64", [2, 3, 0, 0])], "parameters": {}}))


if __name__ == "__main__":
    write_safetensors()
    write_model_cards()
    write_idx()
    write_images()
    write_mails()
    write_vocabularies()
    write_json()
    write_infer_requests()
