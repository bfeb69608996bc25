// Checkpoints of modules — a module's parameters saved to and loaded from a safetensors file,
// under their state_dict() names ("conv1.weight"), so PyTorch's load_state_dict reads them too.
//
// save_state_dict(module, path, metadata)
//   Ensures: path holds every parameter of module as save_safetensors writes it (atomically),
//            with the caller's metadata.
// load_state_dict(module, file)  /  load_state_dict(module, path) (returns the file's metadata)
//   Requires: the file's tensors and the module's parameters match exactly (PyTorch's strict=True):
//             the same names, and per name the same shape and dtype. Dtypes are not converted: a
//             float64 checkpoint for a float32 model is reported, not silently rounded.
//   Ensures:  each parameter's values are the file's (copied in place, so optimizers holding the
//             parameters see them). Everything is checked before anything is copied: on Error the
//             module is unchanged. The Error lists every problem at once, e.g.
//               load_state_dict: cannot load 'model.safetensors' into Net:
//                 Missing key(s) in state_dict: "fc.weight", "fc.bias".
//                 Unexpected key(s) in state_dict: "head.weight".
//                 size mismatch for conv1.weight: checkpoint [6, 1, 5, 5], model [6, 1, 3, 3].
//                 dtype mismatch for conv1.bias: checkpoint F64 (float64), model float32.
#pragma once

#include <filesystem>

#include "minitorch/io/safetensors.h"
#include "minitorch/nn/module.h"

namespace minitorch::io {

void save_state_dict(const nn::Module& module, const std::filesystem::path& path,
                     const Metadata& metadata = {});

void load_state_dict(nn::Module& module, const SafetensorsFile& file);
Metadata load_state_dict(nn::Module& module, const std::filesystem::path& path);

}  // namespace minitorch::io
