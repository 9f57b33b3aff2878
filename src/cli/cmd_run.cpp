// lamina run: one-shot generation from a prompt, streamed to stdout.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "backend/cpu/cpu_backend.h"
#include "chat/conversation.h"
#include "cli/args.h"
#include "cli/chat_template_setup.h"
#include "cli/commands.h"
#include "cli/load_flags.h"
#include "cli/model_path.h"
#include "cli/progress.h"
#include "model/llama_model.h"
#include "runtime/chat_prompt.h"
#include "runtime/logits_file.h"
#include "runtime/session.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace lamina::cli {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct RunOptions {
    std::string model, prompt, prompt_file, dump_logits;
    int64_t n_predict = 128, n_ctx = 0, n_threads = 0, seed = -1, n_batch = 512;
    int64_t top_k = 40, repeat_last_n = 64;
    float temp = 0.8f, top_p = 0.95f, min_p = 0.05f, repeat_penalty = 1.0f;
    bool echo = false, no_bos = false, special = false;
    LoadFlags load;
    // --chat: the prompt is one user turn rendered with the chat template.
    bool chat = false;
    std::string system, chat_template, chat_template_file;
};

bool read_file(const std::string& path, std::string* out) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::stringstream ss;
    ss << f.rdbuf();
    *out = ss.str();
    return true;
}

// The prompt as one user turn (after -sys) through the chosen chat template.
Expected<std::vector<TokenId>> one_turn_chat_prompt(const GgufReader& gguf,
                                                    const Tokenizer& tokenizer,
                                                    const RunOptions& o) {
    auto chosen = choose_chat_template(gguf, o.chat_template, o.chat_template_file, o.system);
    if (!chosen) return chosen.status();
    if (!chosen->notice.empty()) std::fprintf(stderr, "lamina run: %s\n", chosen->notice.c_str());
    chat::Conversation conv;
    conv.set_system(o.system);
    conv.add_user(o.prompt);
    return tokenize_chat(tokenizer, chosen->source, conv);
}

}  // namespace

int cmd_run(int argc, char** argv) {
    RunOptions o;
    ArgParser p("run", "[-m MODEL.gguf] -p PROMPT [options]",
                "Generates text from a prompt and streams it to stdout; a summary goes to stderr.");
    p.add_string("-m,--model", &o.model, "FILE", "model file (default: the bundled model)");
    p.add_string("-p,--prompt", &o.prompt, "TEXT", "prompt text");
    p.add_string("-f,--file", &o.prompt_file, "FILE", "read the prompt from a file");
    p.add_int("-n,--n-predict", &o.n_predict, "N",
              "tokens to generate (default 128, -1: until the end)");
    p.add_int("-c,--ctx-size", &o.n_ctx, "N", "context size (default: the model's, at most 4096)");
    p.add_int("-t,--threads", &o.n_threads, "N", "threads (default: all cores)");
    o.load.add_to(p);
    p.add_int("-b,--batch-size", &o.n_batch, "N", "prompt tokens per batch (default 512)");
    p.add_int("-s,--seed", &o.seed, "N", "random seed (default: random)");
    p.add_float("--temp", &o.temp, "T", "temperature (default 0.8; 0: greedy)");
    p.add_int("--top-k", &o.top_k, "K", "keep the K most likely tokens (default 40; 0: off)");
    p.add_float("--top-p", &o.top_p, "P", "nucleus sampling threshold (default 0.95; 1: off)");
    p.add_float("--min-p", &o.min_p, "P",
                "drop tokens below P x the top probability (default 0.05)");
    p.add_float("--repeat-penalty", &o.repeat_penalty, "R",
                "penalise repeated tokens (default 1.0: off)");
    p.add_int("--repeat-last-n", &o.repeat_last_n, "N",
              "tokens the penalty looks back at (default 64)");
    p.add_flag("--echo", &o.echo, "print the prompt before the generated text");
    p.add_flag("--no-bos", &o.no_bos, "do not add the BOS token");
    p.add_flag("--special", &o.special, "parse special tokens (<|im_start|>, ...) in the prompt");
    p.add_string("--dump-logits", &o.dump_logits, "PATH",
                 "write every position's logits (LGT1 format) to PATH");
    p.add_flag("-cnv,--chat", &o.chat, "send -p as one user turn through the chat template");
    p.add_string("-sys,--system-prompt", &o.system, "TEXT", "system prompt (with --chat)");
    p.add_string("--chat-template", &o.chat_template, "NAME",
                 "with --chat: a built-in template instead of the model's");
    p.add_string("--chat-template-file", &o.chat_template_file, "FILE",
                 "with --chat: the Jinja template in FILE instead of the model's");
    switch (p.parse(argc, argv)) {
        case ArgParser::Result::Help:
            return 0;
        case ArgParser::Result::Error:
            return 2;
        case ArgParser::Result::Ok:
            break;
    }
    if (!p.positional().empty()) {
        std::fprintf(stderr, "lamina run: unexpected argument '%s'\n", p.positional()[0].c_str());
        return 2;
    }
    if (!o.chat && !(o.system + o.chat_template + o.chat_template_file).empty()) {
        std::fprintf(stderr, "lamina run: -sys and the chat template flags need --chat\n");
        return 2;
    }
    if (!o.prompt_file.empty() && !read_file(o.prompt_file, &o.prompt)) {
        std::fprintf(stderr, "lamina run: cannot read prompt file %s\n", o.prompt_file.c_str());
        return 1;
    }
    if (o.model.empty()) o.model = default_model_path();
    if (o.model.empty()) {
        std::fprintf(stderr, "lamina run: no model given (-m FILE) and no bundled model found\n");
        return 2;
    }
    if (o.n_threads <= 0) o.n_threads = std::max(1u, std::thread::hardware_concurrency());

    const auto t_load = Clock::now();
    std::unique_ptr<LlamaModel> model;
    {
        ProgressBar bar("loading " + o.model);
        auto loaded = LlamaModel::load(
            o.model, [&](size_t d, size_t t) { bar.update(d, t); }, o.load.mode());
        if (!loaded) {
            bar.finish();
            std::fprintf(stderr, "lamina run: %s\n", loaded.error().c_str());
            return 1;
        }
        model = std::move(*loaded);
    }
    auto tok = Tokenizer::from_gguf(model->gguf());
    if (!tok) {
        std::fprintf(stderr, "lamina run: %s: %s\n", o.model.c_str(), tok.error().c_str());
        return 1;
    }
    const Tokenizer& tokenizer = **tok;
    if (tokenizer.n_vocab() != model->hparams().n_vocab) {
        std::fprintf(stderr, "lamina run: %s: tokenizer has %d tokens but the model has %lld\n",
                     o.model.c_str(), tokenizer.n_vocab(), (long long)model->hparams().n_vocab);
        return 1;
    }
    const double load_s = seconds_since(t_load);

    int64_t n_ctx = o.n_ctx > 0 ? o.n_ctx : std::min<int64_t>(model->hparams().n_ctx_train, 4096);
    CpuBackend backend((int)o.n_threads);
    Session session(*model, backend, n_ctx, o.n_batch);

    std::vector<TokenId> prompt;
    if (o.chat) {
        auto chat_prompt = one_turn_chat_prompt(model->gguf(), tokenizer, o);
        if (!chat_prompt) {
            std::fprintf(stderr, "lamina run: %s\n", chat_prompt.error().c_str());
            return 1;
        }
        prompt = std::move(*chat_prompt);
    } else {
        prompt = tokenizer.encode(o.prompt, !o.no_bos, o.special);
    }
    if (prompt.empty()) {
        std::fprintf(stderr, "lamina run: the prompt is empty (give -p TEXT or -f FILE)\n");
        return 2;
    }
    if ((int64_t)prompt.size() > n_ctx) {
        std::fprintf(
            stderr,
            "lamina run: the prompt has %zu tokens, more than the context of %lld (use -c)\n",
            prompt.size(), (long long)n_ctx);
        return 1;
    }

    SamplerParams sp;
    sp.temp = o.temp;
    sp.top_k = (int)o.top_k;
    sp.top_p = o.top_p;
    sp.min_p = o.min_p;
    sp.repeat_penalty = o.repeat_penalty;
    sp.repeat_last_n = (int)o.repeat_last_n;
    sp.seed = o.seed >= 0 ? (uint64_t)o.seed
                          : (uint64_t)std::chrono::system_clock::now().time_since_epoch().count();
    Sampler sampler(sp);
    for (TokenId t : prompt) sampler.accept(t);

    const bool dump = !o.dump_logits.empty();
    LogitsFile lgt;
    if (o.echo) {
        std::fwrite(o.prompt.data(), 1, o.prompt.size(), stdout);
        std::fflush(stdout);
    }

    const auto t_prompt = Clock::now();
    if (Status s = session.eval(prompt, dump); !s) {
        std::fprintf(stderr, "lamina run: %s\n", s.message().c_str());
        return 1;
    }
    const double prompt_s = seconds_since(t_prompt);
    const int64_t n_vocab = session.n_vocab();
    if (dump)
        lgt.logits.assign(session.logits(0), session.logits(0) + (size_t)n_vocab * prompt.size());
    const float* last = session.logits(session.n_logit_rows() - 1);

    StreamDecoder out(tokenizer);
    std::vector<TokenId> generated;
    const auto t_gen = Clock::now();
    const int64_t budget = o.n_predict < 0 ? n_ctx - (int64_t)prompt.size() : o.n_predict;
    std::string stop_reason = "length";
    for (int64_t i = 0; i < budget; ++i) {
        const TokenId next = sampler.sample(last, (int)n_vocab);
        sampler.accept(next);
        if (tokenizer.is_eog(next)) {
            stop_reason = "end of text";
            break;
        }
        generated.push_back(next);
        const std::string piece = out.push(next);
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
        // With --dump-logits the last token is fed too, so that every token has its logits row.
        if (i + 1 == budget && !dump) break;
        if (session.n_past() >= n_ctx) {
            stop_reason = "context full";
            break;
        }
        const TokenId one[1] = {next};
        if (Status s = session.eval(one, dump); !s) {
            std::fprintf(stderr, "\nlamina run: %s\n", s.message().c_str());
            return 1;
        }
        last = session.logits(0);
        if (dump) lgt.logits.insert(lgt.logits.end(), last, last + n_vocab);
    }
    const std::string rest = out.flush();
    std::fwrite(rest.data(), 1, rest.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    const double gen_s = seconds_since(t_gen);

    if (dump) {
        lgt.n_prompt = (int32_t)prompt.size();
        lgt.tokens = prompt;
        lgt.tokens.insert(lgt.tokens.end(), generated.begin(), generated.end());
        lgt.n_total = (int32_t)lgt.tokens.size();
        lgt.n_vocab = (int32_t)n_vocab;
        lgt.first_row = 0;
        if (Status s = write_logits_file(o.dump_logits, lgt); !s) {
            std::fprintf(stderr, "lamina run: %s\n", s.message().c_str());
            return 1;
        }
    }

    const size_t n_gen = generated.size();
    std::fprintf(stderr,
                 "\nlamina run: %s | %s %s, %.0f MiB | %lld threads (%s)\n"
                 "  load:       %8.2f s\n"
                 "  prompt:     %8zu tokens in %7.2f s = %8.2f tokens/s\n"
                 "  generation: %8zu tokens in %7.2f s = %8.2f tokens/s (stop: %s)\n",
                 o.model.c_str(), model->name().empty() ? "llama" : model->name().c_str(),
                 type_name(model->main_type()), model->weight_bytes() / 1048576.0,
                 (long long)o.n_threads, isa_name(backend.isa()), load_s, prompt.size(), prompt_s,
                 prompt.size() / std::max(prompt_s, 1e-9), n_gen, gen_s,
                 n_gen ? n_gen / std::max(gen_s, 1e-9) : 0.0, stop_reason.c_str());
    return 0;
}

}  // namespace lamina::cli
