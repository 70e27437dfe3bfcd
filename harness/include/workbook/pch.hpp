// The precompiled header for exercises, solutions and tests: xtensor, xtensor-blas, RapidCheck and the
// harness API. Parsing these once instead of per translation unit is most of the build time saved.
#pragma once

#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#include <xtensor-blas/xlinalg.hpp>

#include <rapidcheck.h>

#include "workbook/exercise.hpp"
#include "workbook/property.hpp"
