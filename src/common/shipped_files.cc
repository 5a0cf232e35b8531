#include "common/shipped_files.h"

#include <fmt/format.h>

#include <system_error>

namespace playlake {

Result<std::filesystem::path> ShippedDir() {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("cannot find the running binary: {}", error.message()));
  }
  std::string looked;
  for (const char* up : {"..", "../.."}) {
    const auto dir = (exe.parent_path() / up / "share" / "playlake").lexically_normal();
    if (std::filesystem::is_directory(dir / "models", error)) return dir;
    looked += fmt::format("{}{}", looked.empty() ? "" : ", ", dir.string());
  }
  return Fail(ErrorCode::kNotFound,
              fmt::format("the files shipped with playlake (models/, web/) are not beside the "
                          "binary {} (looked in {}); reinstall it, or set `models:` in "
                          "playlake.yml and serve with --web-dir",
                          exe.string(), looked));
}

}  // namespace playlake
