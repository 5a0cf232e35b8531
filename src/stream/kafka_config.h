// librdkafka configuration from a map of properties, with errors as values.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/result.h"

namespace RdKafka {
class Conf;
}

namespace playlake::stream {

// A global librdkafka configuration holding `properties`. Error{kConfig}
// naming the property librdkafka refuses (its value is not repeated: it may
// be a secret).
Result<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const std::map<std::string, std::string>& properties);

}  // namespace playlake::stream
