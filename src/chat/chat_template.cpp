// Chat templates: the public entry point that parses and renders a template with the
// variables Hugging Face's apply_chat_template passes, turning every failure into an outcome.
#include "chat/chat_template.h"

#include <new>
#include <unordered_map>

#include "chat/jinja_error.h"
#include "chat/jinja_interpreter.h"
#include "chat/jinja_json.h"
#include "chat/jinja_parser.h"

namespace lamina::chat {

RenderOutcome render_chat_template(std::string_view template_source,
                                   const ChatTemplateInputs& inputs) {
    RenderOutcome outcome;
    try {
        jinja::Program program = jinja::parse_template(template_source);
        std::unordered_map<std::string, jinja::Value> vars;
        if (!inputs.extra_vars.is_null() && !inputs.extra_vars.is_object()) {
            outcome.error = "extra template variables must be a JSON object";
            return outcome;
        }
        if (inputs.extra_vars.is_object()) {
            for (const auto& [name, value] : inputs.extra_vars.items())
                vars[name] = jinja::value_from_json(value);
        }
        vars["messages"] = jinja::value_from_json(inputs.messages);
        if (!inputs.tools.is_null()) vars["tools"] = jinja::value_from_json(inputs.tools);
        vars["add_generation_prompt"] = jinja::Value::boolean(inputs.add_generation_prompt);
        vars["bos_token"] = jinja::Value::string(inputs.bos_token);
        vars["eos_token"] = jinja::Value::string(inputs.eos_token);
        jinja::RenderOptions options;
        options.fixed_now = inputs.now;
        jinja::Interpreter interpreter(options);
        outcome.text = interpreter.render(program, std::move(vars));
        outcome.ok = true;
    } catch (const jinja::TemplateError& e) {
        outcome.error = e.what();
    } catch (const std::bad_alloc&) {
        outcome.error = "out of memory while rendering the template";
    } catch (const std::exception& e) {
        outcome.error = std::string("template error: ") + e.what();
    }
    if (!outcome.ok) outcome.text.clear();
    return outcome;
}

}  // namespace lamina::chat
