// lamina run: one-shot generation from a prompt, streamed to stdout.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "chat/conversation.h"
#include "cli/chat_template_setup.h"
#include "cli/commands.h"
#include "cli/escapes.h"
#include "cli/interrupt.h"
#include "cli/load_flags.h"
#include "cli/model_loading.h"
#include "cli/options.h"
#include "cli/text_input.h"
#include "gguf/file_type.h"
#include "model/llama_model.h"
#include "runtime/chat_prompt.h"
#include "runtime/logits_file.h"
#include "runtime/session.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {
namespace {

// Bounds of the numeric flags: 2^20 tokens of context, prediction or batch; 1024 threads.
constexpr int64_t kMaxTokens = int64_t(1) << 20;
constexpr int64_t kMaxThreads = 1024;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

constexpr const char* kColorPrompt = "\033[33m";  // the prompt in yellow, as llama-cli shows it
constexpr const char* kColorReset = "\033[0m";
constexpr int64_t kNoContextShift = -2;

TextInput piped_stdin_input() {
    TextInput in;
    in.stdin_when_piped = true;
    return in;
}

struct RunOptions {
    std::string model, dump_logits;
    TextInput input = piped_stdin_input();
    std::vector<std::string> reverse_prompts;
    int64_t n_predict = 128, n_ctx = 0, n_threads = 0, seed = -1, n_batch = 512;
    int64_t top_k = 40, repeat_last_n = 64, keep = kNoContextShift;
    float temp = 0.8f, top_p = 0.95f, min_p = 0.05f, repeat_penalty = 1.0f;
    bool display_prompt = true, escape = true, no_bos = false, special = false;
    bool ignore_eos = false, verbose_prompt = false, color = false, log_disable = false;
    bool verbose = false;
    LoadFlags load;
    // --chat: the prompt is one user turn rendered with the chat template.
    bool chat = false;
    std::string system, chat_template, chat_template_file;
};

CommandSpec run_spec(RunOptions& o) {
    CommandSpec spec{
        "run",
        "[-m MODEL.gguf] [-p PROMPT | -f FILE | < FILE] [options]",
        "Generates text from a prompt and streams it (after the prompt) to stdout; a summary goes\n"
        "to stderr. With neither -p nor -f, the prompt is read from standard input when it is\n"
        "piped. Ctrl-C stops the generation and still prints the summary.",
        {
            {"-m,--model", &o.model, "FILE",
             "model file (default: $LAMINA_MODEL, else the bundled model)"},
            {"-p,--prompt", &o.input.text, "TEXT", "prompt text"},
            {"-f,--file", &o.input.file, "FILE", "read the prompt from a file (- for stdin)"},
            {"-n,--predict,--n-predict", &o.n_predict, "N",
             "tokens to generate; -1: until the end of the text or context", -1, kMaxTokens},
            {"-c,--ctx-size", &o.n_ctx, "N", "context size (default: the model's, at most 4096)", 0,
             kMaxTokens},
            {"-t,--threads", &o.n_threads, "N", "threads (default: all cores)", 0, kMaxThreads},
            {"-b,--batch-size", &o.n_batch, "N", "prompt tokens per batch", 1, kMaxTokens},
            {"-s,--seed", &o.seed, "N",
             "random seed (default -1: a random one, printed at the end)"},
            {"--temp", &o.temp, "T", "temperature; 0: greedy"},
            {"--top-k", &o.top_k, "K", "keep the K most likely tokens; 0: off", 0, INT32_MAX},
            {"--top-p", &o.top_p, "P", "nucleus sampling threshold; 1: off"},
            {"--min-p", &o.min_p, "P", "drop tokens below P x the top probability"},
            {"--repeat-penalty", &o.repeat_penalty, "R", "penalise repeated tokens; 1: off"},
            {"--repeat-last-n", &o.repeat_last_n, "N", "tokens the penalty looks back at", -1,
             kMaxTokens},
            {"-r,--reverse-prompt", &o.reverse_prompts, "TEXT",
             "stop when the output ends with TEXT (repeatable)"},
            {"--ignore-eos", &o.ignore_eos, "never sample end-of-text: generate all -n tokens"},
            {"--keep", &o.keep, "N",
             "when the context fills, keep the first N prompt tokens (-1: all), drop half of the "
             "rest and go on (default: stop when the context is full)"},
            {"--no-display-prompt", Off{&o.display_prompt},
             "do not print the prompt before the output"},
            {"--echo", &o.display_prompt, "print the prompt before the output (the default)"},
            {"-e,--escape", &o.escape,
             "process escapes (\\n, \\t, \\xHH, ...) in -p (the default)"},
            {"--no-escape", Off{&o.escape}, "take -p literally"},
            {"--color", &o.color, "show the prompt in colour"},
            {"--verbose-prompt", &o.verbose_prompt, "print the prompt's tokens to stderr first"},
            {"--no-bos", &o.no_bos, "do not add the BOS token"},
            {"--special", &o.special, "parse special tokens (<|im_start|>, ...) in the prompt"},
            {"--log-disable", &o.log_disable, "print nothing but errors on stderr"},
            {"-v,--verbose,--log-verbose", &o.verbose, "print more on stderr (model, sampling)"},
            {"--dump-logits", &o.dump_logits, "PATH",
             "write every position's logits (LGT1 format) to PATH"},
            {"-cnv,--chat,--conversation", &o.chat,
             "send the prompt as one user turn through the chat template"},
            {"-sys,--system-prompt", &o.system, "TEXT", "system prompt (with --chat)"},
            {"--chat-template", &o.chat_template, "NAME",
             "with --chat: a built-in template (or a template text) instead of the model's"},
            {"--chat-template-file", &o.chat_template_file, "FILE",
             "with --chat: the Jinja template in FILE instead of the model's"},
            {"--numa", NotApplicable{"lamina does no NUMA placement", true}},
            {"-fa,--flash-attn",
             NotApplicable{"lamina has a single attention path", false, {"on", "off", "auto"}}},
        }};
    std::ranges::move(o.load.options(), std::back_inserter(spec.options));
    return spec;
}

// The prompt's tokens as llama-cli's --verbose-prompt lists them.
void print_prompt_tokens(const Tokenizer& tok, const std::string& text,
                         const std::vector<TokenId>& ids) {
    std::fprintf(stderr, "prompt: '%s'\nnumber of tokens in prompt = %zu\n", text.c_str(),
                 ids.size());
    for (TokenId id : ids)
        std::fprintf(stderr, "%6d -> '%s'\n", id, tok.token_to_piece(id, true).c_str());
    std::fprintf(stderr, "\n");
}

bool ends_with_any(const std::string& text, size_t new_bytes,
                   const std::vector<std::string>& stops) {
    for (const std::string& s : stops) {
        if (s.empty()) continue;
        // Only where the newest piece could have completed it.
        const size_t from =
            text.size() > new_bytes + s.size() ? text.size() - new_bytes - s.size() : 0;
        if (text.find(s, from) != std::string::npos) return true;
    }
    return false;
}

// The prompt as one user turn (after -sys) through the chosen chat template.
Expected<std::vector<TokenId>> one_turn_chat_prompt(const GgufReader& gguf,
                                                    const Tokenizer& tokenizer, const RunOptions& o,
                                                    const std::string& user_text) {
    auto chosen = choose_chat_template(gguf, o.chat_template, o.chat_template_file, o.system);
    if (!chosen) return chosen.status();
    if (!chosen->notice.empty()) std::fprintf(stderr, "lamina run: %s\n", chosen->notice.c_str());
    chat::Conversation conv;
    conv.set_system(o.system);
    conv.add_user(user_text);
    return tokenize_chat(tokenizer, chosen->source, conv);
}

}  // namespace

int cmd_run(int argc, char** argv) {
    RunOptions o;
    if (auto exit = parse_command_line(run_spec(o), argc, argv)) return *exit;
    if (o.keep != kNoContextShift && !o.dump_logits.empty())
        return fail("run", "--keep cannot be combined with --dump-logits", 2);
    if (text_sources_conflict(o.input))
        return fail("run", "give only one of -p, -f and --stdin", 2);
    if (!o.chat && !(o.system + o.chat_template + o.chat_template_file).empty())
        return fail("run", "-sys and the chat template flags need --chat", 2);
    auto text = read_text_input(o.input);
    if (!text) return fail("run", text.error());
    std::string prompt_text = o.escape && !o.input.text.empty() ? process_escapes(*text) : *text;
    if (o.n_threads <= 0) o.n_threads = std::max(1u, std::thread::hardware_concurrency());
    const bool log = !o.log_disable;

    const auto t_load = Clock::now();
    auto model = load_model_or_report("run", o.model, o.load.mode(), log);
    if (!model) return 1;
    o.load.lock(*model, "run");
    auto tok = Tokenizer::from_gguf(model->gguf());
    if (!tok) return fail("run", o.model + ": " + tok.error());
    const Tokenizer& tokenizer = **tok;
    if (tokenizer.n_vocab() != model->hparams().n_vocab)
        return fail("run", o.model + ": tokenizer has " + std::to_string(tokenizer.n_vocab()) +
                               " tokens but the model has " +
                               std::to_string(model->hparams().n_vocab));
    // Loading includes the backend's rearranging of the weights into its layouts.
    CpuBackend backend((int)o.n_threads);
    if (Status s = model->store_weights(backend); !s)
        return fail("run", o.model + ": " + s.message());
    const double load_s = seconds_since(t_load);

    int64_t n_ctx = o.n_ctx > 0 ? o.n_ctx : std::min<int64_t>(model->hparams().n_ctx_train, 4096);
    Session session(*model, backend, n_ctx, o.n_batch);

    std::vector<TokenId> prompt;
    if (o.chat) {
        auto chat_prompt = one_turn_chat_prompt(model->gguf(), tokenizer, o, prompt_text);
        if (!chat_prompt) return fail("run", chat_prompt.error());
        prompt = std::move(*chat_prompt);
    } else {
        prompt = tokenizer.encode(prompt_text, !o.no_bos, o.special);
    }
    if (prompt.empty())
        return fail("run", "the prompt is empty and the model adds no BOS (give -p TEXT)", 2);
    if ((int64_t)prompt.size() > n_ctx)
        return fail("run", "the prompt has " + std::to_string(prompt.size()) +
                               " tokens, more than the context of " + std::to_string(n_ctx) +
                               " (use -c)");
    if (o.verbose_prompt && log) print_prompt_tokens(tokenizer, prompt_text, prompt);

    SamplerParams sp;
    sp.temp = o.temp;
    sp.top_k = (int)o.top_k;
    sp.top_p = o.top_p;
    sp.min_p = o.min_p;
    sp.repeat_penalty = o.repeat_penalty;
    sp.repeat_last_n = (int)o.repeat_last_n;
    // A random seed is printed in the summary, so that a run worth keeping can be repeated.
    sp.seed = o.seed >= 0 ? (uint64_t)o.seed
                          : (uint64_t)std::chrono::system_clock::now().time_since_epoch().count() %
                                (1ull << 32);
    Sampler sampler(sp);
    for (TokenId t : prompt) sampler.accept(t);
    if (o.verbose && log)
        std::fprintf(stderr,
                     "lamina run: context %lld, batch %lld, %d layers; sampling: temp %g, top-k "
                     "%lld, top-p %g, min-p %g, repeat penalty %g over %lld, seed %llu\n",
                     (long long)n_ctx, (long long)o.n_batch, (int)model->layers.size(), o.temp,
                     (long long)o.top_k, o.top_p, o.min_p, o.repeat_penalty,
                     (long long)o.repeat_last_n, (unsigned long long)sp.seed);

    const bool dump = !o.dump_logits.empty();
    LogitsFile lgt;
    if (o.display_prompt && !o.chat) {
        if (o.color) std::fputs(kColorPrompt, stdout);
        std::fwrite(prompt_text.data(), 1, prompt_text.size(), stdout);
        if (o.color) std::fputs(kColorReset, stdout);
        std::fflush(stdout);
    }

    InterruptCatcher interrupt;
    const auto t_prompt = Clock::now();
    if (Status s = session.eval(prompt, dump); !s) return fail("run", s.message());
    const double prompt_s = seconds_since(t_prompt);
    const int64_t n_vocab = session.n_vocab();
    if (dump)
        lgt.logits.assign(session.logits(0), session.logits(0) + (size_t)n_vocab * prompt.size());
    const float* last = session.logits(session.n_logit_rows() - 1);

    // --ignore-eos: the end-of-generation tokens get no probability at all.
    std::vector<TokenId> eog_ids;
    if (o.ignore_eos)
        for (TokenId id = 0; id < (TokenId)n_vocab; ++id)
            if (tokenizer.is_eog(id)) eog_ids.push_back(id);
    std::vector<float> masked;

    StreamDecoder out(tokenizer);
    std::vector<TokenId> generated, history = prompt;
    std::string text_out;
    const auto t_gen = Clock::now();
    const int64_t budget =
        o.n_predict < 0 ? (o.keep != kNoContextShift ? INT64_MAX : n_ctx - (int64_t)prompt.size())
                        : o.n_predict;
    std::string stop_reason = "length";
    int64_t n_shifts = 0;
    for (int64_t i = 0; i < budget; ++i) {
        if (interrupt.requested()) {
            stop_reason = "interrupted";
            break;
        }
        if (!eog_ids.empty()) {
            masked.assign(last, last + n_vocab);
            for (TokenId id : eog_ids) masked[(size_t)id] = -INFINITY;
            last = masked.data();
        }
        const TokenId next = sampler.sample(last, (int)n_vocab);
        sampler.accept(next);
        if (tokenizer.is_eog(next)) {
            stop_reason = "end of text";
            break;
        }
        generated.push_back(next);
        history.push_back(next);
        const std::string piece = out.push(next);
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
        if (!o.reverse_prompts.empty()) {
            text_out += piece;
            if (ends_with_any(text_out, piece.size(), o.reverse_prompts)) {
                stop_reason = "reverse prompt";
                break;
            }
        }
        // With --dump-logits the last token is fed too, so that every token has its logits row.
        if (i + 1 == budget && !dump) break;
        if (session.n_past() >= n_ctx) {
            // --keep: llama.cpp's context shift, by recomputing the kept tokens' cache.
            const int64_t has_bos = prompt[0] == tokenizer.bos();
            const int64_t n_keep =
                o.keep < 0 ? (int64_t)prompt.size()
                           : std::min<int64_t>(o.keep + has_bos, (int64_t)prompt.size());
            const int64_t n_discard = (session.n_past() - n_keep) / 2;
            if (o.keep == kNoContextShift || n_discard <= 0) {
                stop_reason = "context full";
                break;
            }
            history.erase(history.begin() + n_keep, history.begin() + n_keep + n_discard);
            session.truncate(n_keep);
            const std::vector<TokenId> rest(history.begin() + n_keep, history.end() - 1);
            if (Status s = session.eval(rest); !s) return fail("run", s.message());
            ++n_shifts;
        }
        const TokenId one[1] = {next};
        if (Status s = session.eval(one, dump); !s) {
            std::fputc('\n', stdout);
            return fail("run", s.message());
        }
        last = session.logits(0);
        if (dump) lgt.logits.insert(lgt.logits.end(), last, last + n_vocab);
    }
    const std::string rest = out.flush();
    std::fwrite(rest.data(), 1, rest.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    const double gen_s = seconds_since(t_gen);

    if (dump && stop_reason != "interrupted") {
        lgt.n_prompt = (int32_t)prompt.size();
        lgt.tokens = prompt;
        lgt.tokens.insert(lgt.tokens.end(), generated.begin(), generated.end());
        lgt.n_total = (int32_t)lgt.tokens.size();
        lgt.n_vocab = (int32_t)n_vocab;
        lgt.first_row = 0;
        if (Status s = write_logits_file(o.dump_logits, lgt); !s) return fail("run", s.message());
    }

    const size_t n_gen = generated.size();
    const std::string file_type = file_type_of(model->gguf());
    if (log)
        std::fprintf(stderr,
                     "\nlamina run: %s | %s %s, %.0f MiB | %lld threads (%s) | seed %llu\n"
                     "  load:       %8.2f s\n"
                     "  prompt:     %8zu tokens in %7.2f s = %8.2f tokens/s\n"
                     "  generation: %8zu tokens in %7.2f s = %8.2f tokens/s (stop: %s%s)\n",
                     o.model.c_str(), model->name().empty() ? "llama" : model->name().c_str(),
                     file_type.empty() ? type_name(model->main_type()) : file_type.c_str(),
                     model->weight_bytes() / 1048576.0, (long long)o.n_threads,
                     isa_name(backend.isa()), (unsigned long long)sp.seed, load_s, prompt.size(),
                     prompt_s, prompt.size() / std::max(prompt_s, 1e-9), n_gen, gen_s,
                     n_gen ? n_gen / std::max(gen_s, 1e-9) : 0.0, stop_reason.c_str(),
                     n_shifts ? (", " + std::to_string(n_shifts) + " context shifts").c_str() : "");
    return stop_reason == "interrupted" ? 130 : 0;
}

}  // namespace lamina::cli
