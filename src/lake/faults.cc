#include "lake/faults.h"

#include <csignal>
#include <unistd.h>

namespace playlake::lake {

void CrashAt::At(std::string_view step) {
  if (step != step_ || --remaining_ > 0) return;
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace playlake::lake
