// `minitorch predict --run RUN_DIR --batch INPUTS --out FILE`: the predictions of a run's model
// for many inputs, in batches of options.batch_size, one JSON line per input in input order.
//
// INPUTS is read by what it is, never by its name:
//   a directory   every regular file in it (subdirectories are not entered), sorted by name, each
//                 a PNG or PGM image (image models). A file that is not one is an error naming
//                 it: a directory of images is expected to hold images only. "input" is the
//                 file's path, INPUTS/<name>, as `predict INPUTS/<name>` prints it.
//   an IDX file   a file starting with the IDX magic (two zero bytes, type 0x08) or gzip's
//                 (1f 8b): images [N, H, W] or [N, C, H, W] as MNIST stores them (image models).
//                 "input" is the image's 0-based index in the file.
//   otherwise     a text file, one input per line: a text (text models) or a point "x1,x2"
//                 (2-D runs). Lines of only white space are skipped (they hold nothing to
//                 classify); a "\r" before the newline is dropped. "input" is the 1-based line
//                 number.
// Each line of FILE is exactly the object `predict --json` prints for that input ({"input",
// "predictions": [{"class", "index", "probability"}, ...]}, top_k classes), written compactly.
// Images are preprocessed as predict does (grayscale, /255, the run's normalisation; a size other
// than the model's is an error unless options.resize). While it runs, a progress bar on standard
// error (redrawn in place on a terminal, else only its last state); at the end one line on
// standard output with the count and FILE.
//   Requires: a finished run (load_saved_model), INPUTS of a kind the model takes, at least one
//             input, and FILE's directory existing. Every violation throws Error naming the
//             input, what was wrong and what was expected.
//   Ensures:  FILE is written atomically once every input is predicted: on any failure it is
//             left as it was (absent, or its old content).
#pragma once

#include "app/evaluate.h"

namespace minitorch::app {

int run_batch_predict(const PredictOptions& options);

}  // namespace minitorch::app
