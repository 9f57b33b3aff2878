// read_text_file: checks the kind of file before opening it, then reads it whole.
#include "cli/text_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lamina::cli {

Status read_text_file(const std::string& path, std::string* out) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    if (S_ISDIR(st.st_mode)) return Status::error(path + ": is a directory");
    if (!S_ISREG(st.st_mode)) return Status::error(path + ": not a regular file");
    // O_NONBLOCK: should the path have become a FIFO since the check, open() must not wait.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::string text;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            return Status::error(path + ": read failed (" + why + ")");
        }
        if (n == 0) break;
        text.append(buf, (size_t)n);
    }
    ::close(fd);
    *out = std::move(text);
    return Status::ok();
}

}  // namespace lamina::cli
