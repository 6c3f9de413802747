#pragma once
#include "sim/strategy/strategy.hpp"
