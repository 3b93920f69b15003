# Runs `ECSIM explain SCENARIO ARGS` and compares its whole stdout with EXPECTED. With
# ECSIM_UPDATE_GOLDEN=1, rewrites EXPECTED (see golden_file.cmake); else a differing output is
# saved to OUT.
set(args ${ARGS})  # a CMake list: one element per argument
execute_process(COMMAND "${ECSIM}" explain "${SCENARIO}" ${args}
  RESULT_VARIABLE rc OUTPUT_VARIABLE got ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ecsim explain exited ${rc}:\n${err}")
endif()
include("${CMAKE_CURRENT_LIST_DIR}/golden_file.cmake")
golden_file("${got}" "${EXPECTED}" "${OUT}")
