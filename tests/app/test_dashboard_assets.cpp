// The dashboard's embedded files: every page asset and uPlot is found by its plain name with the
// Content-Type a browser needs, and no other name (paths, traversal, empty) finds anything.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "app/dashboard/assets.h"

namespace minitorch::app::dashboard {
namespace {

TEST(DashboardAssets, PageAssetsAreFoundWithTheirContentType) {
  const struct {
    std::string_view name, content_type, contains;
  } expected[] = {
      {"index.html", "text/html; charset=utf-8", "<!doctype html>"},
      {"app.js", "text/javascript; charset=utf-8", "use strict"},
      {"app.css", "text/css; charset=utf-8", "body"},
      {"uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot"},
      {"uPlot.min.css", "text/css; charset=utf-8", ".uplot"},
      {"uPlot-LICENSE.txt", "text/plain; charset=utf-8", "MIT License"},
  };
  for (const auto& asset : expected) {
    const Asset* found = find_asset(asset.name);
    ASSERT_NE(found, nullptr) << asset.name;
    EXPECT_EQ(found->name, asset.name);
    EXPECT_EQ(found->content_type, asset.content_type) << asset.name;
    EXPECT_NE(found->body.find(asset.contains), std::string_view::npos) << asset.name;
  }
}

TEST(DashboardAssets, BodiesHoldEveryByteWithNoTerminatorAdded) {
  const Asset* page = find_asset("index.html");
  ASSERT_NE(page, nullptr);
  ASSERT_FALSE(page->body.empty());
  EXPECT_EQ(page->body.find('\0'), std::string_view::npos);
  EXPECT_EQ(page->body.back(), '\n');
  const Asset* uplot = find_asset("uPlot.iife.min.js");
  ASSERT_NE(uplot, nullptr);
  EXPECT_GT(uplot->body.size(), 40'000U);  // the whole minified library, not a prefix
}

TEST(DashboardAssets, OtherNamesFindNothing) {
  for (std::string_view name : {"", "/index.html", "../index.html", "web/app.js", "index.htm",
                                "INDEX.HTML", "assets.h", "app.js/"}) {
    EXPECT_EQ(find_asset(name), nullptr) << '"' << name << '"';
  }
}

}  // namespace
}  // namespace minitorch::app::dashboard
