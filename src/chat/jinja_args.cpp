// Binding of call arguments to Python-style parameters.
#include "chat/jinja_args.h"

#include "chat/jinja_error.h"

namespace lamina::chat::jinja {

namespace {

void check_keywords(std::string_view function, const CallArgs& args,
                    const std::vector<std::string>& params) {
    for (const auto& [name, value] : args.keyword) {
        bool known = false;
        for (size_t i = 0; i < params.size(); ++i) {
            if (params[i] == name) {
                known = true;
                if (i < args.positional.size()) {
                    throw TemplateError(std::string(function) +
                                        "() got multiple values for argument '" + name + "'");
                }
            }
        }
        if (!known) {
            throw TemplateError(std::string(function) + "() got an unexpected keyword argument '" +
                                name + "'");
        }
    }
}

}  // namespace

ArgBinder::ArgBinder(std::string_view function, const CallArgs& args,
                     std::initializer_list<const char*> params, bool allow_extra_positional)
    : function_(function), args_(args), params_(params.begin(), params.end()) {
    check_keywords(function_, args_, params_);
    if (!allow_extra_positional && args_.positional.size() > params_.size()) {
        throw TemplateError(function_ + "() takes at most " + std::to_string(params_.size()) +
                            " argument(s) (" + std::to_string(args_.positional.size()) + " given)");
    }
}

Value ArgBinder::get(size_t index, Value fallback) const {
    if (index < args_.positional.size()) return args_.positional[index];
    if (index < params_.size()) {
        for (const auto& [name, value] : args_.keyword) {
            if (name == params_[index]) return value;
        }
    }
    return fallback;
}

bool ArgBinder::has(size_t index) const {
    if (index < args_.positional.size()) return true;
    if (index >= params_.size()) return false;
    for (const auto& [name, value] : args_.keyword) {
        if (name == params_[index]) return true;
    }
    return false;
}

std::vector<Value> ArgBinder::rest() const {
    if (args_.positional.size() <= params_.size()) return {};
    return std::vector<Value>(
        args_.positional.begin() + static_cast<std::ptrdiff_t>(params_.size()),
        args_.positional.end());
}

}  // namespace lamina::chat::jinja
