#include "daemon/base/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace tandem {

void init_logging(std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("tandemd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace tandem
