// llama-driver: a small benchmark driver against llama.cpp's public C API
// (llama.h), measured the way llama-bench measures: prompt processing as one
// llama_decode of a whole prompt of fixed token ids (KV cache cleared before
// every run), and decode speed as tokens generated one at a time (greedy
// argmax on the logits) after a short prompt. Every figure is the best of
// -r runs. Prints one JSON line.
//
//   llama-driver -m model.gguf [-t 2] [-r 3] [-p 128,512] [-n 32] [-c 1024]
//                [-fa 0|1] [-format NAME] [-v]
//   llama-driver -m model.gguf -greedy 1,2,3 [-n 32]   # greedy ids as JSON
//   llama-driver -sysinfo                               # ggml's CPU feature line
//
// Part of mlpack's bench/llamacpp; built by bench/llamacpp/build.sh.

#include "llama.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct options {
    std::string model;
    std::string format;
    int threads = 2;
    int repeat = 3;
    std::vector<int> prompts = {128, 512};
    int gen = 32;
    int ctx = 1024;
    int batch = 512;
    bool flash = false;
    bool verbose = false;
    bool sysinfo = false;
    std::vector<llama_token> greedy;
};

bool verbose_log = false;

void log_cb(ggml_log_level level, const char * text, void *) {
    if (verbose_log || level >= GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}

[[noreturn]] void die(const std::string & msg) {
    fprintf(stderr, "llama-driver: %s\n", msg.c_str());
    exit(1);
}

std::vector<int> parse_ints(const char * s, const char * flag) {
    std::vector<int> v;
    std::string cur;
    for (const char * p = s;; p++) {
        if (*p == ',' || *p == '\0') {
            char * end = nullptr;
            long n = strtol(cur.c_str(), &end, 10);
            if (cur.empty() || *end != '\0' || n < 0) {
                die(std::string("bad ") + flag + " entry \"" + cur + "\"");
            }
            v.push_back(int(n));
            cur.clear();
            if (*p == '\0') {
                break;
            }
        } else {
            cur += *p;
        }
    }
    return v;
}

options parse(int argc, char ** argv) {
    options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto next = [&]() -> const char * {
            if (i + 1 >= argc) {
                die("flag " + a + " needs a value");
            }
            return argv[++i];
        };
        if (a == "-m") {
            o.model = next();
        } else if (a == "-format") {
            o.format = next();
        } else if (a == "-t") {
            o.threads = atoi(next());
        } else if (a == "-r") {
            o.repeat = std::max(1, atoi(next()));
        } else if (a == "-p") {
            o.prompts = parse_ints(next(), "-p");
        } else if (a == "-n") {
            o.gen = atoi(next());
        } else if (a == "-c") {
            o.ctx = atoi(next());
        } else if (a == "-b") {
            o.batch = atoi(next());
        } else if (a == "-fa") {
            o.flash = atoi(next()) != 0;
        } else if (a == "-greedy") {
            for (int id : parse_ints(next(), "-greedy")) {
                o.greedy.push_back(id);
            }
        } else if (a == "-sysinfo") {
            o.sysinfo = true;
        } else if (a == "-v") {
            o.verbose = true;
        } else {
            die("unknown flag " + a + " (see the comment at the top of driver.cpp)");
        }
    }
    if (o.model.empty() && !o.sysinfo) {
        die("-m model.gguf is required");
    }
    if (o.threads < 1 || o.ctx < 1 || o.batch < 1 || o.gen < 1) {
        die("-t, -c, -b and -n must be positive");
    }
    for (int p : o.prompts) {
        if (p < 1 || p > o.batch || p > o.ctx) {
            die("every -p length must be in 1..min(-b, -c)");
        }
    }
    return o;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// peak_rss_bytes reads VmHWM from /proc/self/status (0 where unavailable).
long long peak_rss_bytes() {
    FILE * f = fopen("/proc/self/status", "r");
    if (!f) {
        return 0;
    }
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = atoll(line + 6);
            break;
        }
    }
    fclose(f);
    return kb * 1024;
}

void decode_or_die(llama_context * ctx, std::vector<llama_token> & toks) {
    if (llama_decode(ctx, llama_batch_get_one(toks.data(), int32_t(toks.size()))) != 0) {
        die("llama_decode failed");
    }
    llama_synchronize(ctx);
}

llama_token argmax(const float * logits, int n) {
    return llama_token(std::max_element(logits, logits + n) - logits);
}

// generate decodes prompt, then gen tokens one at a time, each the argmax
// of the previous logits; it returns the generated ids and the seconds the
// one-token steps took. first, when not null, receives the logits the
// prompt produced.
std::vector<llama_token> generate(llama_context * ctx, int n_vocab, std::vector<llama_token> prompt, int gen, double * secs,
                                  std::vector<float> * first = nullptr) {
    llama_memory_clear(llama_get_memory(ctx), true);
    decode_or_die(ctx, prompt);
    if (first) {
        const float * l = llama_get_logits_ith(ctx, -1);
        first->assign(l, l + n_vocab);
    }
    std::vector<llama_token> out;
    std::vector<llama_token> one(1);
    double t0 = now_s();
    for (int i = 0; i < gen; i++) {
        one[0] = argmax(llama_get_logits_ith(ctx, -1), n_vocab);
        out.push_back(one[0]);
        decode_or_die(ctx, one);
    }
    *secs = now_s() - t0;
    return out;
}

}  // namespace

int main(int argc, char ** argv) {
    options o = parse(argc, argv);
    verbose_log = o.verbose;
    llama_log_set(log_cb, nullptr);
    llama_backend_init();
    if (o.sysinfo) {
        printf("%s\n", llama_print_system_info());
        return 0;
    }

    double t0 = now_s();
    llama_model_params mp = llama_model_default_params();
    mp.use_mmap = true;
    mp.n_gpu_layers = 0;
    if (!o.verbose) {
        mp.progress_callback = [](float, void *) { return true; };  // no progress dots
    }
    llama_model * model = llama_model_load_from_file(o.model.c_str(), mp);
    if (!model) {
        die("cannot load " + o.model);
    }
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = uint32_t(o.ctx);
    cp.n_batch = uint32_t(o.batch);
    cp.n_ubatch = uint32_t(o.batch);
    cp.n_threads = o.threads;
    cp.n_threads_batch = o.threads;
    cp.flash_attn_type = o.flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.no_perf = true;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        die("cannot create a context for " + o.model);
    }
    double load_s = now_s() - t0;
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

    if (!o.greedy.empty()) {
        for (llama_token id : o.greedy) {
            if (id < 0 || id >= n_vocab) {
                die("-greedy id out of the vocabulary");
            }
        }
        double secs = 0;
        std::vector<float> first;
        std::vector<llama_token> ids = generate(ctx, n_vocab, o.greedy, o.gen, &secs, &first);
        printf("{\"greedy\":[");
        for (size_t i = 0; i < ids.size(); i++) {
            printf("%s%d", i ? "," : "", ids[i]);
        }
        // The 8 largest logits after the prompt, for a numeric cross-check.
        std::vector<int> order(first.size());
        for (size_t i = 0; i < order.size(); i++) {
            order[i] = int(i);
        }
        const size_t k = std::min<size_t>(8, order.size());
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) { return first[a] > first[b]; });
        printf("],\"top\":[");
        for (size_t i = 0; i < k; i++) {
            printf("%s{\"id\":%d,\"logit\":%.6g}", i ? "," : "", order[i], first[order[i]]);
        }
        printf("]}\n");
        llama_free(ctx);
        llama_model_free(model);
        llama_backend_free();
        return 0;
    }

    // Fixed pseudo-random token ids (an LCG, so every run and every build
    // sees the same prompt), away from the special ids at the bottom.
    uint32_t state = 12345;
    auto next_id = [&]() {
        state = state * 1664525u + 1013904223u;
        return llama_token(3 + (state >> 8) % uint32_t(n_vocab - 3));
    };

    // Warm-up as llama-bench does (one prompt of the largest measured
    // length, one single-token step): it pages the mapped weights and the
    // compute buffers in; without it the first timed run is several times
    // slower.
    std::vector<llama_token> warm(size_t(*std::max_element(o.prompts.begin(), o.prompts.end())));
    for (auto & t : warm) {
        t = next_id();
    }
    llama_memory_clear(llama_get_memory(ctx), true);
    decode_or_die(ctx, warm);
    std::vector<llama_token> warm1 = {next_id()};
    decode_or_die(ctx, warm1);

    std::vector<double> pp(o.prompts.size(), 0);
    for (size_t k = 0; k < o.prompts.size(); k++) {
        std::vector<llama_token> toks(size_t(o.prompts[k]));
        for (auto & t : toks) {
            t = next_id();
        }
        for (int r = 0; r < o.repeat; r++) {
            llama_memory_clear(llama_get_memory(ctx), true);
            double s = now_s();
            decode_or_die(ctx, toks);
            pp[k] = std::max(pp[k], double(toks.size()) / (now_s() - s));
        }
    }
    std::vector<llama_token> prompt(16);
    for (auto & t : prompt) {
        t = next_id();
    }
    double tg = 0;
    for (int r = 0; r < o.repeat; r++) {
        double secs = 0;
        generate(ctx, n_vocab, prompt, o.gen, &secs);
        tg = std::max(tg, double(o.gen) / secs);
    }

    printf("{\"format\":\"%s\"", o.format.c_str());
    for (size_t k = 0; k < o.prompts.size(); k++) {
        printf(",\"pp%d\":%.3f", o.prompts[k], pp[k]);
    }
    printf(",\"tg\":%.3f,\"load_s\":%.3f,\"peak_rss_gb\":%.3f,\"threads\":%d,\"repeat\":%d,\"flash_attn\":%s}\n", tg, load_s,
           double(peak_rss_bytes()) / 1e9, o.threads, o.repeat, o.flash ? "true" : "false");
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
