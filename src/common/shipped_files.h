// Where the files shipped with the binary are: the model project (`models/`)
// and the built dashboard (`web/`), under one folder found relative to the
// running executable, never at a path fixed at build time, so an installed
// tree works wherever it is moved:
//   PREFIX/bin/playlake                  -> PREFIX/share/playlake
//   BUILD/src/cli/playlake (the build)   -> BUILD/share/playlake
// (any binary one or two folders under PREFIX or BUILD finds it the same way).
//
// Errors: kNotFound naming the places looked at.
#pragma once

#include <filesystem>

#include "common/result.h"

namespace playlake {

Result<std::filesystem::path> ShippedDir();

}  // namespace playlake
