/* placeholder: filled in by the report work */
#include "report.h"
typedef int report_placeholder;
