# Runs ECSIM on SCENARIO (with ARGS) into OUT and compares summary.json with EXPECTED, the
# machine-dependent timing fields zeroed. With ECSIM_UPDATE_GOLDEN=1, rewrites EXPECTED (see
# golden_file.cmake).
set(args ${ARGS})  # a CMake list: one element per argument
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND "${ECSIM}" run "${SCENARIO}" --quiet --out "${OUT}" ${args}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ecsim exited ${rc}:\n${err}")
endif()
file(READ "${OUT}/summary.json" got)
string(REGEX REPLACE "\"wall_seconds\": [^,\n]+" "\"wall_seconds\": 0" got "${got}")
string(REGEX REPLACE "\"events_per_second\": [^,\n]+" "\"events_per_second\": 0" got "${got}")
include("${CMAKE_CURRENT_LIST_DIR}/golden_file.cmake")
golden_file("${got}" "${EXPECTED}" "${OUT}/summary.normalised.json")
