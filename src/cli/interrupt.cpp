// InterruptCatcher: SIGINT to a flag the generation loop polls.
#include "cli/interrupt.h"

#include <csignal>

namespace lamina::cli {
namespace {

// A signal handler can only reach static storage; this flag is the one piece of global state,
// written by the handler and read by InterruptCatcher::requested().
volatile std::sig_atomic_t g_interrupted = 0;
struct sigaction g_previous {};

void on_interrupt(int) {
    g_interrupted = 1;
}

}  // namespace

InterruptCatcher::InterruptCatcher() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;  // the second Ctrl-C gets the default action: the process ends
    sigaction(SIGINT, &sa, &g_previous);
}

InterruptCatcher::~InterruptCatcher() {
    sigaction(SIGINT, &g_previous, nullptr);
}

bool InterruptCatcher::requested() const {
    return g_interrupted != 0;
}

}  // namespace lamina::cli
