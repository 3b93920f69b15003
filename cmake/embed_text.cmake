# Writes a C++ source file that holds the text of a file, for libraries that ship data inside the
# binary. Run at build time (no Python needed) by an add_custom_command that DEPENDS on INPUT, so
# the source is regenerated whenever the data changes:
#
#   cmake -DINPUT=data.csv -DOUTPUT=data.cpp -DHEADER=data.hpp -DNAMESPACE=a::b
#         -DFUNCTION=data_text -P embed_text.cmake
#
# OUTPUT defines `std::string NAMESPACE::FUNCTION()`, returning the bytes of INPUT, which HEADER
# (included first) must declare. The text goes in raw string literals of at most 8 KiB each:
# compilers limit the length of one literal (MSVC to 16 KiB), not the number of literals.
foreach(var INPUT OUTPUT HEADER NAMESPACE FUNCTION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_text.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" text)
set(delimiter "ecsim_embed")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "embed_text.cmake: ${INPUT} contains the raw-string end ')${delimiter}\"'")
endif()
string(FIND "${text}" "\r" carriage_return)
if(NOT carriage_return EQUAL -1)
  # A raw string literal turns a CR LF line break of the source into LF: the bytes would change.
  message(FATAL_ERROR "embed_text.cmake: ${INPUT} has CR line breaks; convert it to LF")
endif()

string(LENGTH "${text}" size)
set(chunk_size 8192)
set(chunks "")
set(offset 0)
while(offset LESS size)
  string(SUBSTRING "${text}" ${offset} ${chunk_size} chunk)
  string(APPEND chunks "    R\"${delimiter}(${chunk})${delimiter}\",\n")
  math(EXPR offset "${offset} + ${chunk_size}")
endwhile()
if(chunks STREQUAL "")
  set(chunks "    \"\",\n")
endif()

get_filename_component(input_name "${INPUT}" NAME)
file(WRITE "${OUTPUT}" "// Generated from ${input_name} by cmake/embed_text.cmake: do not edit.
#include \"${HEADER}\"

#include <string_view>

namespace ${NAMESPACE} {

std::string ${FUNCTION}() {
  static constexpr std::string_view kChunks[] = {
${chunks}  };
  std::string text;
  text.reserve(${size});
  for (const std::string_view chunk : kChunks) text += chunk;
  return text;
}

}  // namespace ${NAMESPACE}
")
