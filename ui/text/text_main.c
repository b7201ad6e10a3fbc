/* spean-text: the text layer's CLI on its own (`spean text ...` runs the same text_cli). */
#include "text.h"

int main(int argc, char **argv)
{
	return text_cli(argc, argv);
}
