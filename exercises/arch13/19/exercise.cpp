// arch13/19: GPT-2's weights from Hugging Face's model.safetensors into a model of another layout. The student
// writes the mapping from the file's tensors (read here, on the trusted side, with the library's safetensors reader)
// to the library GPT's named parameters; the checks load the result into nn::Gpt and run it. Expected values: the
// logits PyTorch computed for a tiny GPT-2 the project ships (data/arch13-19, written once by
// tools/make_gpt2_fixture.py), to the seed's 1e-4; and the library's own loader (nn::load_gpt2, trusted side only:
// the kit does not offer it), tensor by tensor, on that file, on random GPT-2-shaped files written here in HF's
// layout, and on a real checkpoint given with --full --data PATH.

#include "arch13/19/interface.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <unistd.h>

#include <xtensor/xadapt.hpp>
#include <xtensor/xview.hpp>

#include "nn/gpt.hpp"
#include "nn/gpt2_loader.hpp"
#include "nn/named_tensors.hpp"
#include "nn/safetensors.hpp"
#include "nn/shipped_data.hpp"
#include "workbook/exercise.hpp"
#include "workbook/oracle/random.hpp"

namespace {

using arch13_19::NamedTensor;
using workbook::CheckKind;
using workbook::CheckResult;
using workbook::Context;
using Model = nn::Gpt<float>;

// The seed's bar: logits within 1e-4 of the reference (absolute; the tiny model's logits are of order 1 to 10).
constexpr workbook::Tolerance seed_tolerance{0, 1e-4};

// ---- files, the student's mapping, the library's model ----------------------------------------------------------

// Every tensor of the file under its stored name and shape, as the student receives it.
std::vector<NamedTensor> checkpoint_of(const nn::SafetensorsFile& file) {
  std::vector<NamedTensor> tensors;
  for (const auto& name : file.names()) {
    const auto values = file.values<float>(name);
    tensors.push_back({name, file.info(name).shape, xt::adapt(values, {values.size()})});
  }
  return tensors;
}

// The library's GPT of the file's size with a separate head, so that the tied head is the mapping's to fill.
nn::GptConfig config_of(const nn::SafetensorsFile& file, std::size_t n_head) {
  auto config = nn::gpt2_config(nn::infer_gpt2_shape(file), n_head);
  config.tie_weights = false;
  return config;
}

// The student's mapping of the file's tensors: one call through the channel.
std::vector<NamedTensor> mapping_of(const nn::SafetensorsFile& file) {
  return arch13_19::to_library_layout(checkpoint_of(file));
}

// The mapped tensors in the library's model. A name, a shape or a count that does not fit is the mapping's mistake,
// listed.
std::unique_ptr<Model> loaded_from_student(const nn::SafetensorsFile& file, std::size_t n_head,
                                           const std::vector<NamedTensor>& mapped) {
  auto model = std::make_unique<Model>(config_of(file, n_head), 0);
  const auto problems = nn::load_named(model->parameters(), mapped);
  if (!problems.empty()) {
    std::string message = "your tensors do not fit the library's GPT:";
    for (const auto& p : problems) message += "\n  " + p;
    throw workbook::WrongResult(message);
  }
  return model;
}

std::unique_ptr<Model> loaded_by_library(const nn::SafetensorsFile& file, std::size_t n_head) {
  auto model = std::make_unique<Model>(config_of(file, n_head), 1);
  nn::load_gpt2(file, model->parameters());
  return model;
}

CheckResult fits(const nn::SafetensorsFile& file, std::size_t n_head, const std::vector<NamedTensor>& mapped) {
  auto model = std::make_unique<Model>(config_of(file, n_head), 0);
  const auto problems = nn::load_named(model->parameters(), mapped);
  std::string shown;
  for (const auto& p : problems) shown += (shown.empty() ? "" : "; ") + p;
  return workbook::holds(problems.empty(), problems.empty() ? "every parameter fits" : shown,
                         "your tensors do not fit the library's GPT: " + shown);
}

// Parameter by parameter, the student's model against the library loader's: the names of those that differ.
CheckResult same_parameters(const nn::SafetensorsFile& file, std::size_t n_head) {
  auto student = loaded_from_student(file, n_head, mapping_of(file));
  auto library = loaded_by_library(file, n_head);
  const auto mine = student->parameters(), theirs = library->parameters();
  std::vector<std::string> differing;
  for (std::size_t i = 0; i < mine.size(); ++i)
    if (!std::equal(mine[i].value, mine[i].value + mine[i].size, theirs[i].value)) differing.push_back(mine[i].name);
  std::string shown;
  for (const auto& name : differing) shown += (shown.empty() ? "" : ", ") + name;
  return workbook::holds(differing.empty(), differing.empty() ? "every parameter equal" : shown,
                         "these parameters hold other values than the file's tensors put where they belong: " + shown);
}

xt::xarray<double> logits_of(const Model& model, const nn::Tokens& tokens) {
  return xt::cast<double>(model.logits(tokens));
}

// ---- (a) the tiny GPT-2 and PyTorch's logits --------------------------------------------------------------------

constexpr std::size_t tiny_heads = 4;  // what the tiny model's config.json would say (n_embd 32, head size 8)

const nn::SafetensorsFile& tiny_file() {
  static const auto file = nn::SafetensorsFile::read(nn::shipped_data("arch13-19/model.safetensors"));
  return file;
}

struct Reference {
  std::vector<nn::Tokens> sequences;
  std::vector<xt::xarray<double>> logits;  // (time, vocab) per sequence
};

const Reference& pytorch_reference() {
  static const Reference reference = [] {
    const auto file = nn::SafetensorsFile::read(nn::shipped_data("arch13-19/reference.safetensors"));
    const auto token_shape = file.info("tokens").shape, logit_shape = file.info("logits").shape;
    const auto tokens = file.values<std::int64_t>("tokens");
    const auto logits = file.values<double>("logits");
    const std::size_t time = token_shape[1], vocab = logit_shape[2];
    Reference r;
    for (std::size_t b = 0; b < token_shape[0]; ++b) {
      r.sequences.emplace_back(tokens.begin() + std::ptrdiff_t(b * time), tokens.begin() + std::ptrdiff_t((b + 1) * time));
      xt::xarray<double> row = xt::adapt(logits.data() + b * time * vocab, time * vocab, xt::no_ownership(),
                                         std::vector<std::size_t>{time, vocab});
      r.logits.push_back(row);
    }
    return r;
  }();
  return reference;
}

// Both sequences within 1e-4: the first that is not is reported.
CheckResult matches_pytorch() {
  const auto model = loaded_from_student(tiny_file(), tiny_heads, mapping_of(tiny_file()));
  const auto& reference = pytorch_reference();
  CheckResult result;
  for (std::size_t b = 0; b < reference.sequences.size() && result.status == workbook::Status::pass; ++b)
    result = workbook::close(logits_of(*model, reference.sequences[b]), reference.logits[b], seed_tolerance);
  return result;
}

// ---- (b) any GPT-2-shaped file, written here in HF's layout -----------------------------------------------------

bool is_conv1d_weight(const std::string& name) {
  for (const std::string suffix : {".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight"})
    if (name.ends_with(suffix)) return true;
  return false;
}

struct HfLayout {
  bool prefixed = false;      // names behind "transformer.", as some checkpoints store them
  bool masked_bias = false;   // the older checkpoints' second buffer, attn.masked_bias
};

// A random GPT-2 in HF's layout: the names of a tied library GPT's parameters, Conv1D weights stored (in, out), each
// block's causal-mask buffer attn.bias (and attn.masked_bias if asked), no lm_head.weight.
std::map<std::string, nn::TensorData> hf_tensors(const nn::GptConfig& tied, const HfLayout& layout, std::mt19937_64& rng) {
  Model source(tied, rng());
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const std::string prefix = layout.prefixed ? "transformer." : "";
  std::map<std::string, nn::TensorData> tensors;
  for (const auto& p : source.parameters()) {
    std::vector<std::size_t> shape = p.shape;
    if (is_conv1d_weight(p.name)) std::swap(shape[0], shape[1]);  // values are random: only the shape is stored
    std::vector<float> values(p.size);
    for (auto& v : values) v = normal(rng);
    tensors[prefix + p.name] = nn::tensor_data(std::span<const float>(values), shape);
  }
  const std::size_t n = tied.context;
  std::vector<float> causal(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) causal[i * n + j] = 1;
  for (std::size_t l = 0; l < tied.n_layer; ++l) {
    const std::string block = prefix + "h." + std::to_string(l) + ".attn.";
    tensors[block + "bias"] = nn::tensor_data(std::span<const float>(causal), {1, 1, n, n});
    if (layout.masked_bias) tensors[block + "masked_bias"] = nn::tensor_data(std::span<const float>(std::vector<float>{-1e4f}), {});
  }
  return tensors;
}

// Written to a file and read back with the library's reader, as a downloaded checkpoint would be.
nn::SafetensorsFile through_a_file(const std::map<std::string, nn::TensorData>& tensors) {
  const auto path = std::filesystem::temp_directory_path() / ("workbook-arch13-19-" + std::to_string(::getpid()) + ".safetensors");
  nn::write_safetensors(path, tensors, {{"format", "pt"}});
  auto file = nn::SafetensorsFile::read(path);
  std::filesystem::remove(path);
  return file;
}

// A random small shape; n_embd a multiple of the head count.
nn::GptConfig random_shape() {
  nn::GptConfig c;
  c.vocab_size = *rc::gen::inRange<std::size_t>(5, 41);
  c.context = *rc::gen::inRange<std::size_t>(2, 13);
  c.n_layer = *rc::gen::inRange<std::size_t>(1, 4);
  c.n_head = *rc::gen::inRange<std::size_t>(1, 4);
  c.n_embd = c.n_head * *rc::gen::inRange<std::size_t>(1, 5);
  return c;
}

CheckResult any_file(const Context& ctx, const std::string& stream, const HfLayout& layout) {
  return workbook::property(ctx.seed_for(stream), [layout] {
    const auto shape = random_shape();
    auto rng = workbook::oracle::property_rng();
    const auto file = through_a_file(hf_tensors(shape, layout, rng));
    const auto result = same_parameters(file, shape.n_head);
    if (result.status != workbook::Status::pass) RC_FAIL(result.message);
  }, {20, 100});
}

// ---- (c) a real checkpoint, or one of GPT-2's head size ---------------------------------------------------------

// Two token ids of GPT-2's vocabulary (meant as "The United"; the statement asks the reader to look them up in the
// checkpoint's vocab.json, since the project has no GPT-2 tokenizer to confirm them here).
const nn::Tokens known_prompt{464, 1578};

struct Checkpoint {
  nn::SafetensorsFile file;
  std::string source;
  std::optional<std::vector<NamedTensor>> mapped;  // the student's mapping, asked for once: a real file is large
};

const std::vector<NamedTensor>& mapped(const Context& ctx, Checkpoint& c) {
  if (!c.mapped) {
    if (ctx.full()) std::cerr << "arch13/19: sending " << c.source << "'s tensors to your mapping\n";
    c.mapped = mapping_of(c.file);
  }
  return *c.mapped;
}

// --full --data PATH: the user's model.safetensors. Otherwise a random GPT-2 of head size 64 (2 heads), written here.
Checkpoint& checkpoint(const Context& ctx) {
  static std::map<std::pair<std::uint64_t, bool>, Checkpoint> cache;
  const std::pair key{ctx.seed(), ctx.full() && ctx.data()};
  if (const auto hit = cache.find(key); hit != cache.end()) return hit->second;
  if (key.second) {
    std::cerr << "arch13/19: reading " << ctx.data()->string() << "\n";
    return cache.emplace(key, Checkpoint{nn::SafetensorsFile::read(*ctx.data()), ctx.data()->string(), {}}).first->second;
  }
  if (ctx.full()) std::cerr << "no --data PATH given: part (c) uses a generated GPT-2 of head size 64\n";
  nn::GptConfig shape;
  shape.vocab_size = 2000;
  shape.context = 32;
  shape.n_layer = 2;
  shape.n_head = 2;
  shape.n_embd = 128;
  auto rng = ctx.rng("c-checkpoint");
  return cache.emplace(key, Checkpoint{through_a_file(hf_tensors(shape, {true, true}, rng)), "generated", {}}).first->second;
}

// The prompt: known_prompt where the vocabulary is large enough to be GPT-2's, else the first two ids.
nn::Tokens prompt_for(const nn::SafetensorsFile& file) {
  const auto vocab = nn::infer_gpt2_shape(file).vocab_size;
  return vocab > 1578 ? known_prompt : nn::Tokens{0, 1};
}

// The five most likely next tokens after the prompt, most likely first.
std::vector<int> top_five(const xt::xarray<double>& logits) {
  const auto last = xt::row(logits, logits.shape(0) - 1);
  std::vector<int> ids(last.size());
  std::iota(ids.begin(), ids.end(), 0);
  std::partial_sort(ids.begin(), ids.begin() + 5, ids.end(), [&](int a, int b) { return last(a) > last(b); });
  ids.resize(5);
  return ids;
}

// ---- parts ------------------------------------------------------------------------------------------------------

void part_a(workbook::Exercise& ex) {
  ex.part("a", 4, R"(Write to_library_layout. The first file it meets is a tiny GPT-2 the project ships
(data/arch13-19/model.safetensors: vocabulary 80, context 24, 2 blocks of 4 heads, width 32), saved in Hugging Face's
layout, together with the logits PyTorch computed for two sequences of 16 tokens. The checks put your tensors into
the library's GPT, compare its logits with PyTorch's to within 1e-4, and compare every parameter with the file's
tensor placed where it belongs.)")
      .check("names and shapes", CheckKind::equal,
             "your tensors load into the library's GPT of the file's size: every parameter present once, with its "
             "shape, and nothing else",
             [](const Context&) { return fits(tiny_file(), tiny_heads, mapping_of(tiny_file())); })
      .check("every parameter", CheckKind::equal,
             "each of your parameters holds exactly the values of the file's tensor it comes from, in the library's "
             "orientation (compared with the library's own loader)",
             [](const Context&) { return same_parameters(tiny_file(), tiny_heads); })
      .check("logits match PyTorch", CheckKind::close,
             "the library's GPT with your tensors gives PyTorch's logits for the two shipped sequences, within 1e-4",
             [](const Context&) { return matches_pytorch(); })
      .hint("List the file's names and shapes first (the names of the checkpoint you receive), and set them beside "
            "the names and shapes the interface asks for: which tensors have no counterpart, which have none in the "
            "file, and which arrive with their two dimensions the other way round?")
      .hint("A (rows, cols) matrix turned into (cols, rows) needs its values moved, not only its shape relabelled.");
}

void part_b(workbook::Exercise& ex) {
  ex.part("b", 2, R"(Checkpoints on the Hub differ in small ways: some store every name behind "transformer.", older
ones add a second buffer, attn.masked_bias, to each block. The checks write random GPT-2s of random sizes in HF's
layout, read them back with the library's safetensors reader and compare your parameters with the library loader's,
tensor by tensor.)")
      .check("plain names", CheckKind::property,
             "for 20 random sizes (vocabulary 5 to 40, context 2 to 12, 1 to 3 blocks, 1 to 3 heads), your parameters "
             "equal the file's tensors placed as the library places them",
             [](const Context& ctx) { return any_file(ctx, "b-plain", {false, false}); })
      .check("prefixed names and both buffers", CheckKind::property,
             "the same with every name behind \"transformer.\" and each block's attn.masked_bias buffer too",
             [](const Context& ctx) { return any_file(ctx, "b-prefixed", {true, true}); });
}

void part_c(workbook::Exercise& ex) {
  ex.part("c", 1, R"(A real GPT-2: with --full --data PATH (a model.safetensors you have, e.g. the 124M model's), the
checks read it, infer its size (12 heads of 64 for the 124M model: every released GPT-2 has heads of 64) and put your
mapping's tensors into the library's GPT. There is no PyTorch reference for your file here, so they check what can
be checked: the tensors fit, and the logits of a short prompt equal those of the library's own loader. The prompt is
the token ids 464 and 1578; the report shows the ids of the five most likely next tokens. Look all seven up in the
checkpoint's vocab.json: is the continuation a plausible one? Without --data the same checks run on a random GPT-2 of
head size 64 written in HF's layout.)")
      .check("fits", CheckKind::equal, "your tensors from the checkpoint load into the library's GPT of its size",
             [](const Context& ctx) {
               auto& c = checkpoint(ctx);
               return fits(c.file, 0, mapped(ctx, c));
             })
      .check("same logits as the library's loader", CheckKind::close,
             "the library's GPT with your tensors and with the library loader's give the same logits for the prompt, "
             "within 1e-4 (shown: the five most likely next tokens)",
             [](const Context& ctx) {
               auto& c = checkpoint(ctx);
               const auto prompt = prompt_for(c.file);
               const auto actual = logits_of(*loaded_from_student(c.file, 0, mapped(ctx, c)), prompt);
               auto result = workbook::close(actual, logits_of(*loaded_by_library(c.file, 0), prompt), seed_tolerance);
               if (result.status == workbook::Status::pass)
                 result.actual = nlohmann::json{{"checkpoint", c.source}, {"top five next tokens", top_five(actual)}};
               return result;
             });
}

void part_d(workbook::Exercise& ex) {
  ex.part("d", 2, R"(Why does matching a reference's logits to 1e-4 on a few sequences say that the architecture is
right, down to the order of the layers, where the LayerNorms sit, the scaling of the scores and the tied head? Which
of your mapping's mistakes would a check of names and shapes alone miss, and why is 1e-4, not 1e-12, the bar for a
float32 model?)")
      .manual(2);
}

}  // namespace

WORKBOOK_EXERCISE {
  ex.title = "GPT-2's weights in a model of your own";
  ex.stars = 2;
  ex.tags = {workbook::Tag::implementation, workbook::Tag::conceptual};
  ex.statement = R"(Hugging Face publishes GPT-2 as one model.safetensors: named tensors, each with a shape and its
float32 values. The names are close to the library's own (wte.weight, h.0.attn.c_attn.weight, ..., ln_f.bias), but
the file is laid out for Hugging Face's code: its attention and feed-forward layers are Conv1D layers, which compute
x W + b with W stored as (in, out); every block carries a causal-mask buffer that is not a parameter; and there is no
output head, because GPT-2 reuses the token embedding for it. Write the mapping from such a file's tensors to the
parameters of the library's GPT, whose linear layers store W as (out, in) and whose output head is a separate
lm_head.weight. The checks read the file, call your mapping, load what it returns into the library's GPT and run it.)";
  part_a(ex);
  part_b(ex);
  part_c(ex);
  part_d(ex);
}
