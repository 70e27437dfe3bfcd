// The training loop on a slice of tiny Shakespeare: a few dozen steps of a small GPT must lower the loss, and
// the run's outputs (loss log, plot data, checkpoint) must be written and reload to the same model.
#define BOOST_TEST_MODULE nn_trainer
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/char_tokenizer.hpp"
#include "nn/checkpoint.hpp"
#include "nn/trainer.hpp"

namespace {

std::string shakespeare_slice(std::size_t bytes) {
  std::ifstream in(std::string(NN_DATA_DIR) + "/tinyshakespeare.txt", std::ios::binary);
  std::string text(bytes, '\0');
  in.read(text.data(), std::streamsize(bytes));
  text.resize(std::size_t(in.gcount()));
  return text;
}

nn::GptConfig small_gpt(std::size_t vocab) {
  nn::GptConfig c;
  c.vocab_size = vocab;
  c.context = 16;
  c.n_layer = 2;
  c.n_head = 2;
  c.n_embd = 32;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_short_run_lowers_the_loss_and_writes_a_reloadable_checkpoint) {
  const std::string text = shakespeare_slice(20000);
  const nn::CharTokenizer tokenizer(text);
  const nn::TokenSplit data = nn::split(tokenizer.encode(text), 0.1);
  nn::Gpt<float> model(small_gpt(tokenizer.vocab_size()), 3);
  nn::LmTraining training;
  training.iterations = 60;
  training.batch = 8;
  training.eval_interval = 30;
  training.eval_batches = 4;
  training.schedule = {3e-3, 3e-4, 10, 60};
  training.out_dir = std::filesystem::temp_directory_path() / "nn_trainer_test";
  std::filesystem::remove_all(training.out_dir);
  std::ostringstream progress;
  const double initial = std::log(double(tokenizer.vocab_size()));  // a uniform guess
  const nn::LmTrainingResult r = nn::train_lm(model, data, training, progress);
  BOOST_TEST(r.train_loss < initial - 0.5, "train loss " << r.train_loss << " vs ln V = " << initial);
  BOOST_TEST(r.val_loss < initial - 0.5);
  BOOST_TEST(r.tokens_per_second > 0);
  BOOST_TEST(progress.str().find("step 60: train loss") != std::string::npos, progress.str());
  // the curves: an evaluation at step 0, every 30 steps and at the end, the last one the result's own
  BOOST_TEST_REQUIRE(r.evaluations.size() == 3u);
  BOOST_TEST(r.evaluations[0].step == 0u);
  BOOST_TEST(r.evaluations[1].step == 30u);
  BOOST_TEST(r.evaluations[2].step == 60u);
  BOOST_TEST(r.evaluations.back().val_loss == r.val_loss);
  BOOST_TEST(r.evaluations.back().train_loss == r.train_loss);
  BOOST_TEST(r.evaluations.front().val_loss > r.val_loss);
  BOOST_TEST(std::filesystem::exists(training.out_dir / "loss_log.csv"));
  BOOST_TEST(std::filesystem::exists(training.out_dir / "loss.csv"));

  // the checkpoint holds the trained weights: a fresh model loading it computes the same loss
  nn::Gpt<float> reloaded(small_gpt(tokenizer.vocab_size()), 99);
  nn::load_checkpoint(training.out_dir / "checkpoint.safetensors", reloaded.parameters());
  nn::LmLoader a(data.val, 4, 16, 5), b(data.val, 4, 16, 5);
  BOOST_TEST(nn::evaluate_lm(model, a, 3) == nn::evaluate_lm(reloaded, b, 3), boost::test_tools::tolerance(1e-6));
  std::filesystem::remove_all(training.out_dir);
}
