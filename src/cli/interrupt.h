// Ctrl-C during a long job: the first press asks the job to stop cleanly (so that it can still
// print its summary), a second press ends the process as usual.
#pragma once

namespace lamina::cli {

// Installs the SIGINT handler for its lifetime and restores the previous one after.
class InterruptCatcher {
  public:
    InterruptCatcher();
    ~InterruptCatcher();
    InterruptCatcher(const InterruptCatcher&) = delete;
    InterruptCatcher& operator=(const InterruptCatcher&) = delete;

    bool requested() const;
};

}  // namespace lamina::cli
