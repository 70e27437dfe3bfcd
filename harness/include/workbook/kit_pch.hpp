// The student kit's precompiled header: what an interface header and a solution usually include
// (xtensor and its BLAS products). A student's file is compiled with it, so the compiler parses xtensor once.
#pragma once

#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xsort.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#include <xtensor-blas/xlinalg.hpp>

#include "workbook/not_implemented.hpp"
