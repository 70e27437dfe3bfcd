#include "nn/trainer.hpp"

#include <chrono>
#include <ostream>

#include "nn/checkpoint.hpp"
#include "nn/train_log.hpp"

namespace nn {

template <class T>
double evaluate_lm(Gpt<T>& model, LmLoader& loader, std::size_t batches) {
  model.train(false);
  double total = 0;
  for (std::size_t i = 0; i < batches; ++i) {
    const LmBatch b = loader.next();
    model.forward(b.inputs, b.batch, b.time);
    total += double(model.loss(b.targets));
  }
  return total / double(batches);
}

template <class T>
LmTrainingResult train_lm(Gpt<T>& model, const TokenSplit& data, const LmTraining& config, std::ostream& progress) {
  using clock = std::chrono::steady_clock;
  const std::size_t time = model.config().context;
  LmLoader train_batches(data.train, config.batch, time, config.seed);
  // Evaluation batches come from their own loaders, so evaluating does not change the training batches.
  LmLoader train_eval(data.train, config.batch, time, config.seed + 1), val_eval(data.val, config.batch, time, config.seed + 2);
  const auto params = model.parameters();
  AdamW<T> optimizer(params, config.optimizer);
  LossLog log;
  ProgressBar bar(progress, config.iterations);
  LmTrainingResult result;
  double training_seconds = 0;
  auto evaluate = [&](std::size_t step) {
    result.train_loss = evaluate_lm(model, train_eval, config.eval_batches);
    result.val_loss = evaluate_lm(model, val_eval, config.eval_batches);
    log.record_val(step, result.val_loss);
    result.evaluations.push_back({step, result.train_loss, result.val_loss});
    bar.finish();
    progress << "step " << step << ": train loss " << result.train_loss << ", val loss " << result.val_loss << "\n";
  };
  const auto start = clock::now();
  for (std::size_t step = 0; step < config.iterations; ++step) {
    if (config.eval_interval && step % config.eval_interval == 0) evaluate(step);
    const auto step_start = clock::now();
    const LmBatch b = train_batches.next();
    model.train(true);
    zero_grads(params);
    model.forward(b.inputs, b.batch, b.time);
    const double loss = double(model.loss(b.targets));
    model.backward();
    if (config.grad_clip > 0) clip_grad_norm(params, T(config.grad_clip));
    optimizer.step(lr_at(step, config.schedule));
    training_seconds += std::chrono::duration<double>(clock::now() - step_start).count();
    log.record_train(step, loss);
    bar.update(step + 1, loss, double((step + 1) * b.inputs.size()) / training_seconds);
  }
  evaluate(config.iterations);
  result.seconds = std::chrono::duration<double>(clock::now() - start).count();
  result.tokens_per_second = double(config.iterations * config.batch * time) / training_seconds;
  if (!config.out_dir.empty()) {
    std::filesystem::create_directories(config.out_dir);
    log.write_csv(config.out_dir / "loss_log.csv");  // not loss.csv: render writes its own stem.csv
    log.render(config.out_dir / "loss", "training loss");
    save_checkpoint(config.out_dir / "checkpoint.safetensors", params,
                    {{"iterations", std::to_string(config.iterations)}, {"val_loss", std::to_string(result.val_loss)}});
  }
  return result;
}

#define NN_INSTANTIATE(T)                                                       \
  template double evaluate_lm<T>(Gpt<T>&, LmLoader&, std::size_t);             \
  template LmTrainingResult train_lm<T>(Gpt<T>&, const TokenSplit&, const LmTraining&, std::ostream&);
NN_INSTANTIATE(float)
NN_INSTANTIATE(double)
#undef NN_INSTANTIATE

}  // namespace nn
