#!/usr/bin/python3
"""The Playground in a real browser: an image file chosen in the page, a typed mail and a typed
point get the same top class and probability as `minitorch predict --json` prints for them, and
drawing on the canvas shows a top-k answer."""

import gzip
import json
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dashboard_fixture import Session, expect, run_cli, wait_for  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402

FASHION_TEST_IMAGES = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
MAIL = "Congratulations! You WIN a free prize, click here now to claim your cash offer"
TOLERANCE = 1e-5


def fashion_pixels(index):
    with gzip.open(FASHION_TEST_IMAGES) as source:
        magic, count, rows, columns = struct.unpack(">IIII", source.read(16))
        expect(magic == 2051 and index < count, f"{FASHION_TEST_IMAGES}: not an IDX image file")
        source.seek(16 + index * rows * columns)
        return source.read(rows * columns), columns, rows


def write_png(path, pixels, width, height):
    """An 8-bit grayscale PNG, written with zlib and struct alone."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + pixels[row * width:(row + 1) * width] for row in range(height))
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                  + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def cli_top(session, *args):
    answer = json.loads(run_cli(session.cli, "predict", "--json", *args))
    return answer[0]["predictions"][0]


def shown_top(browser):
    if not browser.find_all("[data-testid=top-class]"):
        return None
    return {"class": browser.text("[data-testid=top-class]"),
            "probability": float(browser.find("[data-testid=top-probability]").get_attribute("data-value"))}


def wait_for_answer(browser, expected, what):
    """Waits until the page shows the expected top class and probability (inputs are debounced,
    so earlier answers may show first)."""
    def matches():
        shown = shown_top(browser)
        return shown and shown["class"] == expected["class"] and \
            abs(shown["probability"] - expected["probability"]) <= TOLERANCE and shown
    try:
        wait_for(what, matches, timeout=20)
    except Exception:
        errors = browser.text("[data-testid=prediction] .error")
        raise AssertionError(f"{what}: the page shows {shown_top(browser)} {errors}, "
                             f"`minitorch predict` says {expected}") from None


def check_image_file_matches_predict(session):
    browser = session.browser
    image = os.path.join(session.work_dir, "fashion-test-0.png")
    write_png(image, *fashion_pixels(0))
    expected = cli_top(session, "--run", os.path.join(session.runs_dir, "img"), image)
    browser.open("playground?run=img")
    browser.find("#image-file").send_keys(image)
    wait_for_answer(browser, expected, "the answer for the chosen PNG")
    browser.expect_chart_drawn("topk", minimum=50)
    browser.expect_no_console_errors("image playground")


def check_drawing_gets_an_answer(session):
    browser = session.browser
    browser.open("playground?run=img")
    canvas = browser.find("#draw-canvas")
    strokes = ActionChains(browser.driver).move_to_element_with_offset(canvas, -60, -80).click_and_hold()
    for step in range(12):
        strokes.move_by_offset(10, 12)
    strokes.release().perform()
    wait_for("an answer for the drawing", lambda: shown_top(browser))
    probabilities = browser.js("return [...document.querySelectorAll('[data-testid=topk-table] td')]"
                               ".map(td => Number(td.dataset.value));")
    expect(probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1 + 1e-6,
           f"the drawing's top-k probabilities {probabilities}")
    lit = browser.js("const d = document.querySelector('#draw-canvas').getContext('2d')"
                     ".getImageData(0, 0, 280, 280).data; let n = 0;"
                     "for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n += 1; return n;")
    expect(lit > 500, f"the stroke lit {lit} pixels of the drawing canvas")
    browser.expect_no_console_errors("drawing playground")


def check_mail_matches_predict(session):
    browser = session.browser
    expected = cli_top(session, "--run", os.path.join(session.runs_dir, "spam"), "--text", MAIL)
    browser.open("playground?run=spam")
    browser.find("#mail-text").send_keys(MAIL)
    wait_for_answer(browser, expected, "the answer for the typed mail")
    browser.expect_no_console_errors("text playground")


def check_point_matches_predict(session):
    browser = session.browser
    expected = cli_top(session, "--run", os.path.join(session.runs_dir, "xor"), "--point", "0.25,0.8")
    browser.open("playground?run=xor")
    for field, value in (("#x1", "0.25"), ("#x2", "0.8")):
        browser.find(field).clear()
        browser.find(field).send_keys(value)
    wait_for_answer(browser, expected, "the answer for the point (0.25, 0.8)")
    browser.expect_no_console_errors("point playground")


if __name__ == "__main__":
    Session(__doc__).run([
        ("image_file_matches_predict", check_image_file_matches_predict),
        ("drawing_gets_an_answer", check_drawing_gets_an_answer),
        ("mail_matches_predict", check_mail_matches_predict),
        ("point_matches_predict", check_point_matches_predict),
    ])
