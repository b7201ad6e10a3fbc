/* spean-center: the office software's entry point. */
#include "center.h"

int main(int argc, char **argv)
{
	return center_main(argc, argv);
}
