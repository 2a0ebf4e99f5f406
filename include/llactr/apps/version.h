#pragma once
namespace llactr {
inline constexpr const char* kVersion = "0.1.0";
}
