// The dashboard's static files (its page, script, style sheet and the uPlot charting library),
// embedded in the binary at build time by cmake/embed_assets.cmake from src/app/dashboard/web/
// and the uPlot files that scripts/install-deps.sh fetches.
//
// find_asset(name) looks a file up by its plain name ("index.html", "app.js", "app.css",
// "uPlot.iife.min.js", "uPlot.min.css", "uPlot-LICENSE.txt"): no directories, no leading '/'.
// It returns nullptr for any other name (so a request path can be passed as is, "../x" included),
// and otherwise an Asset whose views point at static storage, valid for the whole program.
#pragma once

#include <string_view>

namespace minitorch::app::dashboard {

struct Asset {
  std::string_view name;
  std::string_view
      content_type;  // for the Content-Type header, e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

const Asset* find_asset(std::string_view name);

}  // namespace minitorch::app::dashboard
