#include "app/cli.h"

int main(int argc, char** argv) {
  return minitorch::app::run_cli(argc, argv);
}
