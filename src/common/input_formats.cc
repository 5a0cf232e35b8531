#include "common/input_formats.h"

#include <algorithm>

namespace playlake {

bool IsInputFormatName(std::string_view name, bool allow_auto) {
  if (allow_auto && name == kAutoFormat) return true;
  return std::find(kInputFormatNames.begin(), kInputFormatNames.end(), name) !=
         kInputFormatNames.end();
}

std::vector<std::string> InputFormatChoices(bool with_auto) {
  std::vector<std::string> names;
  if (with_auto) names.emplace_back(kAutoFormat);
  names.insert(names.end(), kInputFormatNames.begin(), kInputFormatNames.end());
  return names;
}

std::string InputFormatList(bool with_auto) {
  std::string list;
  for (const std::string& name : InputFormatChoices(with_auto)) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

}  // namespace playlake
