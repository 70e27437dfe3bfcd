# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Held-out accuracy on synthetic reviews' noenhanced
set xlabel 'labelled reviews' noenhanced
set ylabel 'accuracy' noenhanced
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
128 0.9025
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'pretrained, then fine-tuned'
